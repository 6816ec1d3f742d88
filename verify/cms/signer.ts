/**
 * Signer selection and SignerInfo checks shared by EF.SOD and master lists: the certificate named
 * by issuerAndSerialNumber (names compared order-insensitively) or by subjectKeyIdentifier, and
 * no other (RFC 5652 §5.3: the sid names the signer; a certificate it does not name is never tried
 * in its place); then messageDigest = H(eContent) and the signature itself.
 */
import {
  Asn1Error,
  bytesEqual,
  type Certificate,
  decodeOid,
  octetStringValue,
} from "../asn1/mod.ts";
import { CryptoError, digest, hashFromOid, verifySignature } from "../crypto/mod.ts";
import {
  OID_CONTENT_TYPE,
  OID_MESSAGE_DIGEST,
  signedAttribute,
  type SignerInfo,
} from "./signed_data.ts";

/** How the signer certificate was found. */
export type SignerMatch = "issuer_and_serial" | "subject_key_identifier";

/** Whether `cert` is the one the SignerInfo names (serial + normalised issuer, or SKI). */
export function signerNames(signer: SignerInfo, cert: Certificate): boolean {
  if (signer.sid.kind === "subjectKeyIdentifier") return cert.skiHex === signer.sid.skiHex;
  return cert.serialHex === signer.sid.serialHex && cert.issuer.key === signer.sid.issuer.key;
}

/** Picks the signer certificate among `candidates`, with how it matched. */
export function selectSignerCertificate(
  signer: SignerInfo,
  candidates: Certificate[],
): { certificate: Certificate; match: SignerMatch } | undefined {
  const named = candidates.find((c) => signerNames(signer, c));
  if (!named) return undefined;
  const match = signer.sid.kind === "subjectKeyIdentifier"
    ? "subject_key_identifier"
    : "issuer_and_serial";
  return { certificate: named, match };
}

/** Outcome of `checkSignerInfo`; every failure has its own name. */
export type SignerCheck =
  | { ok: true }
  | {
    ok: false;
    reason:
      | "signed_attributes_missing"
      | "content_type_mismatch"
      | "message_digest_mismatch"
      | "unsupported_algorithm"
      | "signature_invalid";
    detail: string;
  };

/**
 * Checks a SignerInfo over `eContent`: signed attributes present, contentType attribute equal to
 * `eContentType`, messageDigest = H(eContent), and the signature under `signerSpki`.
 */
export async function checkSignerInfo(
  signer: SignerInfo,
  eContentType: string,
  eContent: Uint8Array,
  signerSpki: Uint8Array,
): Promise<SignerCheck> {
  if (!signer.signedAttrsForSignature) {
    return { ok: false, reason: "signed_attributes_missing", detail: "no signedAttrs" };
  }
  const hash = hashFromOid(signer.digestAlgorithm.oid);
  if (!hash) {
    return {
      ok: false,
      reason: "unsupported_algorithm",
      detail: `digest ${signer.digestAlgorithm.oid}`,
    };
  }
  try {
    const contentType = signedAttribute(signer, OID_CONTENT_TYPE);
    if (!contentType || decodeOid(contentType) !== eContentType) {
      return {
        ok: false,
        reason: "content_type_mismatch",
        detail: "contentType attribute ≠ eContentType",
      };
    }
    const claimed = octetStringValue(signedAttribute(signer, OID_MESSAGE_DIGEST));
    if (!bytesEqual(claimed, await digest(hash, eContent))) {
      return {
        ok: false,
        reason: "message_digest_mismatch",
        detail: `messageDigest ≠ ${hash}(eContent)`,
      };
    }
  } catch (error) {
    if (!(error instanceof Asn1Error)) throw error;
    return { ok: false, reason: "signed_attributes_missing", detail: error.code };
  }
  return await checkSignatureOnly(signer, signerSpki);
}

/** Checks only the signature over the signed attributes (used by benchmarks as the floor). */
export async function checkSignatureOnly(
  signer: SignerInfo,
  signerSpki: Uint8Array,
): Promise<SignerCheck> {
  try {
    const valid = await verifySignature({
      algorithm: signer.signatureAlgorithm,
      publicKeyInfo: signerSpki,
      data: signer.signedAttrsForSignature ?? new Uint8Array(),
      signature: signer.signature,
      digestAlgorithmOid: signer.digestAlgorithm.oid,
    });
    return valid
      ? { ok: true }
      : { ok: false, reason: "signature_invalid", detail: "signature does not verify" };
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    return { ok: false, reason: "unsupported_algorithm", detail: error.code };
  }
}
