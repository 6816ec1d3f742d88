/**
 * What may enter the trust store (docs/trust-store.md): a certificate becomes an anchor only when
 * a pinned master list vouches for it, when it chains to an anchor already trusted (or to a pinned
 * root), or when the operator says so (`--anchor`); a CRL only when a trusted CSCA holding cRLSign
 * signed it; a master list only when its signer and pinned root are valid at import time and carry
 * the right key usage.
 */
import { type Certificate, type Crl, hasKeyUsage, KEY_USAGE } from "../asn1/mod.ts";
import { isSignedBy } from "../crypto/mod.ts";
import { checkIssuerProfile } from "../passive/chain.ts";
import { createKvTrustSource } from "./kv_store.ts";

/** Why a certificate or CRL was not admitted, or a master list refused. */
export type AdmissionReason =
  | "anchor_not_confirmed"
  | "crl_issuer_untrusted"
  | "crl_signer_lacks_crl_sign"
  | "crl_critical_extension_unknown"
  | "master_list_expired"
  | "master_list_root_expired"
  | "master_list_signer_key_usage_invalid"
  | "master_list_root_key_usage_invalid";

/** One actionable sentence per reason, printed by the CLI and shown on the dashboard. */
export const ADMISSION_MESSAGES: Readonly<Record<AdmissionReason, string>> = {
  anchor_not_confirmed:
    "a CA certificate that chains to no trusted anchor or pinned root: check its fingerprint out of band, then import it with --anchor",
  crl_issuer_untrusted: "a CRL whose issuer is not a trusted CSCA (import the CSCA first)",
  crl_signer_lacks_crl_sign: "a CRL signed by a CSCA whose key usage lacks cRLSign",
  crl_critical_extension_unknown: "a CRL with a critical extension this verifier does not know",
  master_list_expired:
    "the master list's signer certificate is not valid today: fetch a current list, or pass --allow-expired to import it anyway",
  master_list_root_expired:
    "the pinned root that signed the master list signer is not valid today: pass --allow-expired to import anyway",
  master_list_signer_key_usage_invalid:
    "the master list signer's key usage lacks digitalSignature: the list is not properly signed",
  master_list_root_key_usage_invalid:
    "the pinned root is not a CA with keyCertSign: it cannot vouch for a master list signer",
};

function validAt(cert: Certificate, at: Date): boolean {
  return cert.notBefore <= at && at <= cert.notAfter;
}

/**
 * The master-list signer and its pinned root at import time: both valid (unless `allowExpired`),
 * the signer with digitalSignature, the root a CA with keyCertSign. Returns the refusal or null.
 */
export function checkMasterListSigner(
  signer: Certificate,
  root: Certificate,
  now: Date,
  allowExpired: boolean,
): { reason: AdmissionReason; detail: string } | null {
  if (
    root.extensions.basicConstraints?.cA !== true ||
    !hasKeyUsage(root.extensions.keyUsage, KEY_USAGE.keyCertSign)
  ) {
    return { reason: "master_list_root_key_usage_invalid", detail: root.subject.text };
  }
  if (!hasKeyUsage(signer.extensions.keyUsage, KEY_USAGE.digitalSignature)) {
    return { reason: "master_list_signer_key_usage_invalid", detail: signer.subject.text };
  }
  if (allowExpired) return null;
  const range = (c: Certificate) =>
    `${c.notBefore.toISOString().slice(0, 10)}..${c.notAfter.toISOString().slice(0, 10)}`;
  if (!validAt(root, now)) {
    return { reason: "master_list_root_expired", detail: `root valid ${range(root)}` };
  }
  if (!validAt(signer, now)) {
    return { reason: "master_list_expired", detail: `signer valid ${range(signer)}` };
  }
  return null;
}

/**
 * Whether a CA certificate from an LDIF, PEM or DER file may become an anchor without `--anchor`:
 * its fingerprint is pinned, or a trusted anchor in `kv` (or an offered pinned root) may issue it
 * (RFC 5280 issuer profile and name chaining, `checkIssuerProfile`) and its key verifies it.
 */
export async function chainsToTrusted(
  kv: Deno.Kv,
  cert: Certificate,
  fingerprintHex: string,
  pins: ReadonlySet<string>,
  pinnedRoots: readonly Certificate[],
): Promise<boolean> {
  if (pins.has(fingerprintHex)) return true;
  const store = createKvTrustSource(kv, { cacheTtlMs: 0 });
  const candidates = [
    ...(cert.akiHex ? await store.findCscas({ skiHex: cert.akiHex }) : []),
    ...(await store.findCscas({ issuerName: cert.issuer.key })),
  ].map((t) => t.certificate);
  for (const issuer of [...candidates, ...pinnedRoots]) {
    // Name chaining, CA, keyCertSign, known critical extensions (checkIssuerProfile).
    if (checkIssuerProfile(cert, issuer)) continue;
    if (await isSignedBy(cert, issuer.spki)) return true;
  }
  return false;
}

/** Whether a CRL may be stored: signed by a trusted CSCA (by name and key) that holds cRLSign. */
export async function checkCrlIssuer(
  kv: Deno.Kv,
  crl: Crl,
): Promise<AdmissionReason | null> {
  if (crl.unknownCriticalExtensions.length > 0) return "crl_critical_extension_unknown";
  const store = createKvTrustSource(kv, { cacheTtlMs: 0 });
  let lacksCrlSign = false;
  for (const { certificate } of await store.findCscas({ issuerName: crl.issuer.key })) {
    if (crl.akiHex && certificate.skiHex && crl.akiHex !== certificate.skiHex) continue;
    if (!(await isSignedBy(crl, certificate.spki))) continue;
    if (hasKeyUsage(certificate.extensions.keyUsage, KEY_USAGE.cRLSign)) return null;
    lacksCrlSign = true;
  }
  return lacksCrlSign ? "crl_signer_lacks_crl_sign" : "crl_issuer_untrusted";
}
