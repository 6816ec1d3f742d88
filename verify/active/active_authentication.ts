/**
 * Active Authentication (ICAO 9303 p11 §6.1, docs/document-checks.md): the chip signs the server's
 * challenge with the private key whose public half is in DG15. RSA keys use ISO/IEC 9796-2
 * scheme 1; EC keys use ECDSA (plain r‖s or DER) with the digest named in DG14's
 * ActiveAuthenticationInfo. Every failure is a typed value, never an exception.
 */
import { nobleCurve } from "../chip/curves.ts";
import { DerError, expectTag, readChildren, readSingleTlv } from "../chip/der.ts";
import { parseDg14 } from "../chip/dg14.ts";
import { parseDg15 } from "../chip/dg15.ts";
import { digest, type HashName } from "../chip/hashes.ts";
import type { EcPublicKey, RsaPublicKey } from "../chip/public_key.ts";
import { digestMatchesChallenge, recoverMessage } from "./iso9796_2.ts";

/** Distinct internal reasons an AA check fails (all map to `document_active_authentication_failed`). */
export type ActiveAuthFailure =
  | "dg15_malformed"
  | "dg15_unsupported_key"
  | "dg14_malformed"
  | "challenge_invalid"
  | "aa_hash_unknown"
  | "signature_malformed"
  | "signature_invalid";

/** Input of {@link verifyActiveAuthentication}. */
export interface ActiveAuthenticationInput {
  /** The DG15 file as read from the chip. */
  dg15: Uint8Array;
  /** The DG14 file; required for ECDSA keys (it names the hash). */
  dg14?: Uint8Array;
  /** The server's challenge (RND.IFD, normally 8 bytes). */
  challenge: Uint8Array;
  /** The chip's INTERNAL AUTHENTICATE response. */
  signature: Uint8Array;
}

/** Result of {@link verifyActiveAuthentication}; `algorithm` e.g. `RSA-ISO9796-2-SHA-1`, `ECDSA-SHA-256`. */
export type ActiveAuthenticationResult =
  | { ok: true; algorithm: string }
  | { ok: false; reason: ActiveAuthFailure; detail: string };

/** Verifies an Active Authentication signature over the server's challenge. */
export function verifyActiveAuthentication(
  input: ActiveAuthenticationInput,
): Promise<ActiveAuthenticationResult> {
  return Promise.resolve(verifySync(input));
}

function verifySync(input: ActiveAuthenticationInput): ActiveAuthenticationResult {
  if (!(input.challenge instanceof Uint8Array) || input.challenge.length < 1) {
    return fail("challenge_invalid", "the challenge is empty");
  }
  if (!(input.signature instanceof Uint8Array) || input.signature.length < 1) {
    return fail("signature_malformed", "the signature is empty");
  }
  const dg15 = parseDg15(input.dg15);
  if (!dg15.ok) {
    return fail(
      dg15.reason === "dg15_unsupported_key" ? "dg15_unsupported_key" : "dg15_malformed",
      dg15.detail,
    );
  }
  return dg15.publicKey.kind === "rsa"
    ? verifyRsa(dg15.publicKey, input.challenge, input.signature)
    : verifyEcdsa(dg15.publicKey, input);
}

function verifyRsa(
  key: RsaPublicKey,
  challenge: Uint8Array,
  signature: Uint8Array,
): ActiveAuthenticationResult {
  if (signature.length > Math.ceil(key.bits / 8)) {
    return fail("signature_malformed", "signature longer than the modulus");
  }
  const recovered = recoverMessage(key, signature);
  if (!recovered.ok) return fail("signature_invalid", recovered.reason);
  if (!digestMatchesChallenge(recovered.message, challenge)) {
    return fail("signature_invalid", "digest does not match the challenge");
  }
  return { ok: true, algorithm: `RSA-ISO9796-2-${recovered.message.hash}` };
}

function verifyEcdsa(
  key: EcPublicKey,
  input: ActiveAuthenticationInput,
): ActiveAuthenticationResult {
  const hash = ecdsaHash(input.dg14);
  if (typeof hash !== "string") return hash;
  const curve = nobleCurve(key.curve);
  const message = digest(hash, input.challenge);
  const orderLength = Math.ceil(key.curve.params.n.toString(16).length / 2);
  const compact = toPlainSignature(input.signature, orderLength);
  if (!compact) return fail("signature_malformed", "neither plain r||s nor DER");
  let valid: boolean;
  try {
    valid = curve.verify(compact, message, key.point, {
      prehash: false,
      lowS: false,
      format: "compact",
    });
  } catch {
    return fail("signature_malformed", "the signature or key does not decode");
  }
  return valid
    ? { ok: true, algorithm: `ECDSA-${hash}` }
    : fail("signature_invalid", "ECDSA verification failed");
}

/**
 * Plain r‖s as is; DER SEQUENCE { r, s } converted leniently (chips emit superfluous leading
 * zeros, which strict DER parsers reject).
 */
function toPlainSignature(signature: Uint8Array, orderLength: number): Uint8Array | undefined {
  if (signature.length === 2 * orderLength) return signature;
  try {
    const [r, s, extra] = readChildren(
      expectTag(readSingleTlv(signature), 0x30, "ECDSA-Sig-Value"),
    );
    if (extra) return undefined;
    const parts = [r, s].map((part) => {
      let value = expectTag(part, 0x02, "INTEGER").value;
      while (value.length > orderLength && value[0] === 0) value = value.subarray(1);
      if (value.length > orderLength) throw new DerError("bad_integer", "component too long");
      return value;
    });
    const plain = new Uint8Array(2 * orderLength);
    plain.set(parts[0], orderLength - parts[0].length);
    plain.set(parts[1], 2 * orderLength - parts[1].length);
    return plain;
  } catch (error) {
    if (error instanceof DerError) return undefined;
    throw error;
  }
}

function ecdsaHash(dg14Bytes: Uint8Array | undefined): HashName | ActiveAuthenticationResult {
  if (!dg14Bytes) return fail("aa_hash_unknown", "ECDSA Active Authentication needs DG14");
  const dg14 = parseDg14(dg14Bytes);
  if (!dg14.ok) return fail("dg14_malformed", dg14.detail);
  const hash = dg14.dg14.activeAuthentication?.hash;
  if (!hash) return fail("aa_hash_unknown", "DG14 names no known AA signature algorithm");
  return hash;
}

function fail(reason: ActiveAuthFailure, detail: string): ActiveAuthenticationResult {
  return { ok: false, reason, detail };
}
