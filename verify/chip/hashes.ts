/**
 * Digests used by Active and Chip Authentication, and the mapping from signature-algorithm OIDs
 * (X9.62 ECDSA and BSI TR-03111 plain ECDSA) to the digest they imply.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";

/** Digest names, spelled like WebCrypto's. */
export type HashName = "SHA-1" | "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512";

const DIGESTS: Record<HashName, (data: Uint8Array) => Uint8Array> = {
  "SHA-1": sha1,
  "SHA-224": sha224,
  "SHA-256": sha256,
  "SHA-384": sha384,
  "SHA-512": sha512,
};

/** Computes the digest synchronously. */
export function digest(hash: HashName, data: Uint8Array): Uint8Array {
  return DIGESTS[hash](data);
}

/** Output length in bytes of each digest. */
export const DIGEST_LENGTH: Record<HashName, number> = {
  "SHA-1": 20,
  "SHA-224": 28,
  "SHA-256": 32,
  "SHA-384": 48,
  "SHA-512": 64,
};

const SIGNATURE_OID_HASH: Record<string, HashName> = {
  // X9.62 ecdsa-with-SHA*
  "1.2.840.10045.4.1": "SHA-1",
  "1.2.840.10045.4.3.1": "SHA-224",
  "1.2.840.10045.4.3.2": "SHA-256",
  "1.2.840.10045.4.3.3": "SHA-384",
  "1.2.840.10045.4.3.4": "SHA-512",
  // BSI TR-03111 ecdsa-plain-SHA*
  "0.4.0.127.0.7.1.1.4.1.1": "SHA-1",
  "0.4.0.127.0.7.1.1.4.1.2": "SHA-224",
  "0.4.0.127.0.7.1.1.4.1.3": "SHA-256",
  "0.4.0.127.0.7.1.1.4.1.4": "SHA-384",
  "0.4.0.127.0.7.1.1.4.1.5": "SHA-512",
  // digest OIDs themselves (some chips put a bare digest OID here)
  "1.3.14.3.2.26": "SHA-1",
  "2.16.840.1.101.3.4.2.4": "SHA-224",
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

/** The digest a signature-algorithm OID implies, or undefined when unknown. */
export function hashForSignatureOid(oid: string): HashName | undefined {
  return SIGNATURE_OID_HASH[oid];
}

/** The BSI TR-03111 ecdsa-plain OID for a digest (what the factory writes into DG14). */
export function plainEcdsaOid(hash: HashName): string {
  const suffix = { "SHA-1": 1, "SHA-224": 2, "SHA-256": 3, "SHA-384": 4, "SHA-512": 5 }[hash];
  return `0.4.0.127.0.7.1.1.4.1.${suffix}`;
}
