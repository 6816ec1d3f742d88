/**
 * Signature algorithm identifiers → a `SignatureScheme`: RSA PKCS#1 v1.5 (also the bare
 * rsaEncryption OID, hash taken from the digestAlgorithm), RSASSA-PSS with its parameters, and
 * ECDSA (DER, or BSI plain r‖s).
 */
import {
  type AlgorithmIdentifier,
  Asn1Error,
  children,
  decodeOid,
  decodeSmallInteger,
  expectTag,
  TAG,
} from "../asn1/mod.ts";
import { CryptoError } from "./errors.ts";
import { hashFromOid, type HashName } from "./hash.ts";

/** How a signature is checked. */
export type SignatureScheme =
  | { kind: "rsa-pkcs1"; hash: HashName }
  | { kind: "rsa-pss"; hash: HashName; mgf1Hash: HashName; saltLength: number }
  | { kind: "ecdsa"; hash: HashName; encoding: "der" | "plain" };

const RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
const RSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";

const FIXED_SCHEMES: Record<string, SignatureScheme> = {
  "1.2.840.113549.1.1.5": { kind: "rsa-pkcs1", hash: "sha1" },
  "1.3.14.3.2.29": { kind: "rsa-pkcs1", hash: "sha1" },
  "1.2.840.113549.1.1.14": { kind: "rsa-pkcs1", hash: "sha224" },
  "1.2.840.113549.1.1.11": { kind: "rsa-pkcs1", hash: "sha256" },
  "1.2.840.113549.1.1.12": { kind: "rsa-pkcs1", hash: "sha384" },
  "1.2.840.113549.1.1.13": { kind: "rsa-pkcs1", hash: "sha512" },
  "1.2.840.10045.4.1": { kind: "ecdsa", hash: "sha1", encoding: "der" },
  "1.2.840.10045.4.3.1": { kind: "ecdsa", hash: "sha224", encoding: "der" },
  "1.2.840.10045.4.3.2": { kind: "ecdsa", hash: "sha256", encoding: "der" },
  "1.2.840.10045.4.3.3": { kind: "ecdsa", hash: "sha384", encoding: "der" },
  "1.2.840.10045.4.3.4": { kind: "ecdsa", hash: "sha512", encoding: "der" },
  // BSI TR-03111 ecdsa-plain-* (r‖s), seen on some German documents.
  "0.4.0.127.0.7.1.1.4.1.1": { kind: "ecdsa", hash: "sha1", encoding: "plain" },
  "0.4.0.127.0.7.1.1.4.1.2": { kind: "ecdsa", hash: "sha224", encoding: "plain" },
  "0.4.0.127.0.7.1.1.4.1.3": { kind: "ecdsa", hash: "sha256", encoding: "plain" },
  "0.4.0.127.0.7.1.1.4.1.4": { kind: "ecdsa", hash: "sha384", encoding: "plain" },
  "0.4.0.127.0.7.1.1.4.1.5": { kind: "ecdsa", hash: "sha512", encoding: "plain" },
};

/**
 * Resolves the scheme of a signature algorithm. `digestAlgorithmOid` supplies the hash when the
 * algorithm is bare rsaEncryption (or bare ecPublicKey), as several SODs (AU, NZ, US) do.
 */
export function signatureScheme(
  algorithm: AlgorithmIdentifier,
  digestAlgorithmOid?: string,
): SignatureScheme {
  const fixed = FIXED_SCHEMES[algorithm.oid];
  if (fixed) return fixed;
  if (algorithm.oid === RSA_ENCRYPTION || algorithm.oid === "1.2.840.10045.2.1") {
    const hash = digestAlgorithmOid ? hashFromOid(digestAlgorithmOid) : undefined;
    if (!hash) throw new CryptoError("unsupported_hash", "bare key OID without a known digest");
    return algorithm.oid === RSA_ENCRYPTION
      ? { kind: "rsa-pkcs1", hash }
      : { kind: "ecdsa", hash, encoding: "der" };
  }
  if (algorithm.oid === RSA_PSS) return pssScheme(algorithm);
  throw new CryptoError("unsupported_algorithm", `signature algorithm ${algorithm.oid}`);
}

function hashOfAlgorithm(tlv: Parameters<typeof children>[0]): HashName {
  const oid = decodeOid(children(expectTag(tlv, TAG.SEQUENCE, "hash AlgorithmIdentifier"))[0]);
  const hash = hashFromOid(oid);
  if (!hash) throw new CryptoError("unsupported_hash", `hash ${oid}`);
  return hash;
}

/** RSASSA-PSS-params with the RFC 4055 defaults (SHA-1, MGF1-SHA-1, salt 20, trailer 1). */
function pssScheme(algorithm: AlgorithmIdentifier): SignatureScheme {
  const scheme = {
    kind: "rsa-pss" as const,
    hash: "sha1" as HashName,
    mgf1Hash: "sha1" as HashName,
    saltLength: 20,
  };
  if (!algorithm.parameters) return scheme;
  try {
    for (const field of children(expectTag(algorithm.parameters, TAG.SEQUENCE, "PSS params"))) {
      const inner = children(field)[0];
      if (field.tag === 0xa0) scheme.hash = hashOfAlgorithm(inner);
      else if (field.tag === 0xa1) {
        const [mgfOid, mgfHash] = children(expectTag(inner, TAG.SEQUENCE, "MGF"));
        if (decodeOid(mgfOid) !== MGF1) {
          throw new CryptoError("unsupported_algorithm", "MGF is not MGF1");
        }
        scheme.mgf1Hash = hashOfAlgorithm(mgfHash);
      } else if (field.tag === 0xa2) scheme.saltLength = decodeSmallInteger(inner);
      else if (field.tag === 0xa3 && decodeSmallInteger(inner) !== 1) {
        throw new CryptoError("unsupported_algorithm", "PSS trailer field is not 1");
      }
    }
  } catch (error) {
    if (error instanceof Asn1Error) throw new CryptoError("malformed_parameters", error.code);
    throw error;
  }
  if (scheme.saltLength < 0) throw new CryptoError("malformed_parameters", "negative salt length");
  return scheme;
}
