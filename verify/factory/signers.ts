/**
 * Signature algorithms a synthetic DSC or CSCA can use, each as a {@link Signer}: RSA PKCS#1 v1.5
 * and RSASSA-PSS through WebCrypto, ECDSA on NIST and brainpool curves through noble (brainpool
 * keys written with explicit parameters, as most real passports do).
 */
import { nobleCurve } from "../chip/curves.ts";
import { encodeInteger, encodeNull, encodeOid, encodeSequence, encodeTlv } from "../chip/der.ts";
import { digest, type HashName } from "../chip/hashes.ts";
import {
  type EcKeyPair,
  ecKeyPair,
  ecSecretKeyBytes,
  ecSpki,
  type RsaKeyPair,
  rsaKeyPair,
} from "./keys.ts";

/** The SOD / certificate signature algorithms the factory produces. */
export type SignatureAlgorithm =
  | "rsa-pkcs1-sha256"
  | "rsa-pkcs1-sha512"
  | "rsa-pss-sha256"
  | "ecdsa-p256-sha256"
  | "ecdsa-p384-sha384"
  | "ecdsa-brainpoolP256r1-sha256"
  | "ecdsa-brainpoolP384r1-sha384"
  | "ecdsa-brainpoolP512r1-sha512";

/** Every algorithm, for tests that walk the matrix. */
export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = [
  "rsa-pkcs1-sha256",
  "rsa-pkcs1-sha512",
  "rsa-pss-sha256",
  "ecdsa-p256-sha256",
  "ecdsa-p384-sha384",
  "ecdsa-brainpoolP256r1-sha256",
  "ecdsa-brainpoolP384r1-sha384",
  "ecdsa-brainpoolP512r1-sha512",
];

/** Something that signs: its key, algorithm identifier and digest. */
export interface Signer {
  algorithm: SignatureAlgorithm;
  hash: HashName;
  /** DER AlgorithmIdentifier of the signature. */
  algorithmIdentifier: Uint8Array;
  /** DER SubjectPublicKeyInfo of the signing key. */
  spki: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

const HASH_OID: Record<HashName, string> = {
  "SHA-1": "1.3.14.3.2.26",
  "SHA-224": "2.16.840.1.101.3.4.2.4",
  "SHA-256": "2.16.840.1.101.3.4.2.1",
  "SHA-384": "2.16.840.1.101.3.4.2.2",
  "SHA-512": "2.16.840.1.101.3.4.2.3",
};
const ECDSA_OID: Partial<Record<HashName, string>> = {
  "SHA-256": "1.2.840.10045.4.3.2",
  "SHA-384": "1.2.840.10045.4.3.3",
  "SHA-512": "1.2.840.10045.4.3.4",
};
const RSA_OID: Partial<Record<HashName, string>> = {
  "SHA-256": "1.2.840.113549.1.1.11",
  "SHA-512": "1.2.840.113549.1.1.13",
};

/** An ECDSA signer over an EC key pair (DER signatures, random-free RFC 6979 nonces). */
export function ecdsaSigner(
  pair: EcKeyPair,
  hash: HashName,
  algorithm: SignatureAlgorithm,
  explicitParameters: boolean,
): Signer {
  const curve = nobleCurve(pair.publicKey.curve);
  const secret = ecSecretKeyBytes(pair);
  return {
    algorithm,
    hash,
    algorithmIdentifier: encodeSequence(encodeOid(ECDSA_OID[hash]!)),
    spki: ecSpki(pair.publicKey, explicitParameters),
    sign: (data) =>
      Promise.resolve(
        curve.sign(digest(hash, data), secret, { prehash: false, lowS: false, format: "der" }),
      ),
  };
}

function pssAlgorithmIdentifier(hash: HashName): Uint8Array {
  const hashAlgorithm = encodeSequence(encodeOid(HASH_OID[hash]), encodeNull());
  return encodeSequence(
    encodeOid("1.2.840.113549.1.1.10"),
    encodeSequence(
      encodeTlv(0xa0, hashAlgorithm),
      encodeTlv(0xa1, encodeSequence(encodeOid("1.2.840.113549.1.1.8"), hashAlgorithm)),
      encodeTlv(0xa2, encodeInteger(32)),
    ),
  );
}

/** An RSA signer (PKCS#1 v1.5 or PSS with salt 32) over a cached key. */
export async function rsaSigner(pair: RsaKeyPair, hash: HashName, pss: boolean): Promise<Signer> {
  const name = pss ? "RSA-PSS" : "RSASSA-PKCS1-v1_5";
  const key = await crypto.subtle.importKey(
    "pkcs8",
    pair.pkcs8 as BufferSource,
    { name, hash },
    false,
    ["sign"],
  );
  return {
    algorithm: pss
      ? "rsa-pss-sha256"
      : hash === "SHA-512"
      ? "rsa-pkcs1-sha512"
      : "rsa-pkcs1-sha256",
    hash,
    algorithmIdentifier: pss
      ? pssAlgorithmIdentifier(hash)
      : encodeSequence(encodeOid(RSA_OID[hash]!), encodeNull()),
    spki: pair.spki,
    sign: async (data) =>
      new Uint8Array(await crypto.subtle.sign({ name, saltLength: 32 }, key, data as BufferSource)),
  };
}

const EC_ALGORITHMS: Record<string, [string, HashName]> = {
  "ecdsa-p256-sha256": ["P-256", "SHA-256"],
  "ecdsa-p384-sha384": ["P-384", "SHA-384"],
  "ecdsa-brainpoolP256r1-sha256": ["brainpoolP256r1", "SHA-256"],
  "ecdsa-brainpoolP384r1-sha384": ["brainpoolP384r1", "SHA-384"],
  "ecdsa-brainpoolP512r1-sha512": ["brainpoolP512r1", "SHA-512"],
};

const signerCache = new Map<string, Promise<Signer>>();

/** A signer with a fresh key for `algorithm`, cached per (algorithm, slot) within the process. */
export function createSigner(algorithm: SignatureAlgorithm, slot = "default"): Promise<Signer> {
  const cacheKey = `${algorithm}:${slot}`;
  let signer = signerCache.get(cacheKey);
  if (!signer) {
    signer = makeSigner(algorithm, slot);
    signerCache.set(cacheKey, signer);
  }
  return signer;
}

async function makeSigner(algorithm: SignatureAlgorithm, slot: string): Promise<Signer> {
  const ec = EC_ALGORITHMS[algorithm];
  if (ec) {
    const [curve, hash] = ec;
    return ecdsaSigner(ecKeyPair(curve), hash, algorithm, curve.startsWith("brainpool"));
  }
  const pair = await rsaKeyPair(2048, `signer:${slot}`);
  if (algorithm === "rsa-pss-sha256") return rsaSigner(pair, "SHA-256", true);
  return rsaSigner(pair, algorithm === "rsa-pkcs1-sha512" ? "SHA-512" : "SHA-256", false);
}
