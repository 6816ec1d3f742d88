/**
 * The one entry point of the signature layer: `verifySignature` checks a signature over original
 * bytes with any algorithm found on ePassports. An invalid signature yields `false`; an unusable
 * key or algorithm throws `CryptoError` with a stable code.
 */
import {
  type AlgorithmIdentifier,
  Asn1Error,
  parseAlgorithmIdentifier,
  parseTlv,
} from "../asn1/mod.ts";
import { signatureScheme } from "./algorithms.ts";
import { verifyEcdsa } from "./ecdsa.ts";
import { CryptoError } from "./errors.ts";
import { verifyRsa } from "./rsa.ts";
import { parsePublicKeyInfo, type PublicKeyInfo } from "./spki.ts";

/** Input of `verifySignature`. */
export interface VerifySignatureInput {
  /** The signature algorithm: parsed (SignerInfo/Certificate field) or its DER bytes. */
  algorithm: AlgorithmIdentifier | Uint8Array;
  /** The signer's key, as DER SubjectPublicKeyInfo or already parsed. */
  publicKeyInfo: Uint8Array | PublicKeyInfo;
  /** The exact signed bytes (tbsCertificate raw slice, signedAttrs with tag 0x31…). */
  data: Uint8Array;
  /** The signature value. */
  signature: Uint8Array;
  /** SignerInfo.digestAlgorithm, needed when `algorithm` is bare rsaEncryption. */
  digestAlgorithmOid?: string;
}

function algorithmOf(algorithm: AlgorithmIdentifier | Uint8Array): AlgorithmIdentifier {
  if (!(algorithm instanceof Uint8Array)) return algorithm;
  try {
    return parseAlgorithmIdentifier(parseTlv(algorithm));
  } catch (error) {
    if (error instanceof Asn1Error) throw new CryptoError("malformed_parameters", error.code);
    throw error;
  }
}

/** Verifies a signature; resolves `false` when it does not verify. */
export async function verifySignature(input: VerifySignatureInput): Promise<boolean> {
  const key = input.publicKeyInfo instanceof Uint8Array
    ? parsePublicKeyInfo(input.publicKeyInfo)
    : input.publicKeyInfo;
  const scheme = signatureScheme(algorithmOf(input.algorithm), input.digestAlgorithmOid);
  if (scheme.kind === "ecdsa") {
    if (key.kind !== "ec") throw new CryptoError("key_algorithm_mismatch", "ECDSA needs an EC key");
    return await verifyEcdsa(
      key.curve,
      key.point,
      scheme.hash,
      input.data,
      input.signature,
      scheme.encoding,
    );
  }
  if (key.kind !== "rsa") throw new CryptoError("key_algorithm_mismatch", "RSA needs an RSA key");
  if (key.modulusBits < MIN_RSA_BITS) {
    throw new CryptoError("unsupported_key", `RSA key of ${key.modulusBits} bits`);
  }
  return await verifyRsa(key, scheme, input.data, input.signature);
}

/**
 * The smallest RSA modulus a signature is checked under: a key under 1024 bits can be factored, so
 * whoever did could sign anything under it (the smallest key of a real document in the vectors
 * is 2048 bits; ICAO 9303-12 asks for more).
 */
export const MIN_RSA_BITS = 1024;

/** Anything signed the X.509 way: certificates and CRLs. */
export interface SignedObject {
  tbsRaw: Uint8Array;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

/**
 * True when `signed` (certificate or CRL) verifies under the issuer's SubjectPublicKeyInfo; a
 * key or algorithm the layer cannot use counts as not verified.
 */
export async function isSignedBy(signed: SignedObject, issuerSpki: Uint8Array): Promise<boolean> {
  try {
    return await verifySignature({
      algorithm: signed.signatureAlgorithm,
      publicKeyInfo: issuerSpki,
      data: signed.tbsRaw,
      signature: signed.signature,
    });
  } catch (error) {
    if (error instanceof CryptoError) return false;
    throw error;
  }
}
