/**
 * Hash functions by name and OID. WebCrypto does SHA-1/256/384/512; SHA-224 (absent from
 * WebCrypto) comes from `@noble/hashes`.
 */
import { sha224 } from "@noble/hashes/sha2.js";

/** Hash algorithms found in eMRTD signatures and SODs. */
export type HashName = "sha1" | "sha224" | "sha256" | "sha384" | "sha512";

const HASH_OIDS: Record<string, HashName> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

const WEBCRYPTO_NAMES: Record<HashName, string | null> = {
  sha1: "SHA-1",
  sha224: null,
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};

/** Output length in bytes of each hash. */
export const HASH_LENGTH: Record<HashName, number> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

/** The hash named by a digest-algorithm OID, or undefined when unknown. */
export function hashFromOid(oid: string): HashName | undefined {
  return HASH_OIDS[oid];
}

/** The digest-algorithm OID of a hash. */
export function hashOid(hash: HashName): string {
  return Object.entries(HASH_OIDS).find(([, name]) => name === hash)![0];
}

/** The WebCrypto name of a hash, or null when WebCrypto lacks it (SHA-224). */
export function webCryptoHashName(hash: HashName): string | null {
  return WEBCRYPTO_NAMES[hash];
}

/** Computes a digest of `bytes`. */
export async function digest(hash: HashName, bytes: Uint8Array): Promise<Uint8Array> {
  const name = WEBCRYPTO_NAMES[hash];
  if (name === null) return sha224(bytes);
  return new Uint8Array(await crypto.subtle.digest(name, bytes as Uint8Array<ArrayBuffer>));
}
