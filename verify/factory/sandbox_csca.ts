/**
 * The built-in sandbox CSCA for test mode (docs/api.md#test-and-live). It is deterministic: its P-256 private key is
 * SHA-256("kayle-id sandbox csca v1") and its self-signed certificate (ECDSA-SHA-256 with RFC 6979
 * nonces, fixed validity 2025-01-01..2045-01-01) is byte-identical on every install, so the
 * reference phone client can produce passports that any test-mode server accepts.
 *
 * The key is public by construction: live sessions must never trust this certificate.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { type EcKeyPair, ecKeyPair } from "./keys.ts";
import { createCertificate, type DistinguishedName } from "./certificates.ts";
import { ecdsaSigner, type Signer } from "./signers.ts";

/** The sandbox CSCA's subject (and issuer) name. */
export const SANDBOX_CSCA_NAME: DistinguishedName = [
  ["C", "UT"],
  ["O", "Kayle ID"],
  ["CN", "Kayle ID Sandbox CSCA"],
];

/** The seed the sandbox CSCA key is derived from. */
export const SANDBOX_CSCA_SEED = "kayle-id sandbox csca v1";

/** The sandbox CSCA: certificate, key pair and a signer for issuing DSCs. */
export interface SandboxCsca {
  /** DER X.509 certificate. */
  certificate: Uint8Array;
  privateKey: EcKeyPair;
  signer: Signer;
  name: DistinguishedName;
}

let cached: Promise<SandboxCsca> | undefined;

/** Returns the sandbox CSCA (computed once per process). */
export function sandboxCsca(): Promise<SandboxCsca> {
  cached ??= buildSandboxCsca();
  return cached;
}

async function buildSandboxCsca(): Promise<SandboxCsca> {
  const seed = sha256(new TextEncoder().encode(SANDBOX_CSCA_SEED));
  const privateKey = ecKeyPair("P-256", seed);
  const signer = ecdsaSigner(privateKey, "SHA-256", "ecdsa-p256-sha256", false);
  const certificate = await createCertificate({
    serial: 1n,
    issuer: SANDBOX_CSCA_NAME,
    subject: SANDBOX_CSCA_NAME,
    notBefore: new Date("2025-01-01T00:00:00Z"),
    notAfter: new Date("2045-01-01T00:00:00Z"),
    spki: signer.spki,
    issuerSpki: signer.spki,
    isCa: true,
  }, signer);
  return { certificate, privateKey, signer, name: SANDBOX_CSCA_NAME };
}
