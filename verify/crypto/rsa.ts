/**
 * RSA signature verification: WebCrypto (RSASSA-PKCS1-v1_5, RSA-PSS) when it supports the
 * parameters, otherwise a plain bigint implementation of RFC 8017 (SHA-224, an MGF1 hash unlike
 * the message hash, exponents or sizes WebCrypto refuses).
 */
import { bigIntToBytes, bytesEqual, concatBytes } from "../asn1/mod.ts";
import { derNull, derOctetString, derOid, derSequence } from "../asn1/der_writer.ts";
import { digest, HASH_LENGTH, type HashName, hashOid, webCryptoHashName } from "./hash.ts";

/** An RSA public key. */
export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  modulusBits: number;
}

/** Parameters of an RSA signature scheme. */
export type RsaScheme =
  | { kind: "rsa-pkcs1"; hash: HashName }
  | { kind: "rsa-pss"; hash: HashName; mgf1Hash: HashName; saltLength: number };

function base64Url(value: bigint): string {
  return bigIntToBytes(value).toBase64({ alphabet: "base64url", omitPadding: true });
}

async function verifyWithWebCrypto(
  key: RsaPublicKey,
  scheme: RsaScheme,
  hashName: string,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const name = scheme.kind === "rsa-pss" ? "RSA-PSS" : "RSASSA-PKCS1-v1_5";
  const jwk = { kty: "RSA", n: base64Url(key.n), e: base64Url(key.e), ext: true };
  const cryptoKey = await crypto.subtle.importKey("jwk", jwk, { name, hash: hashName }, false, [
    "verify",
  ]);
  const params = scheme.kind === "rsa-pss" ? { name, saltLength: scheme.saltLength } : { name };
  return await crypto.subtle.verify(
    params,
    cryptoKey,
    signature as Uint8Array<ArrayBuffer>,
    data as Uint8Array<ArrayBuffer>,
  );
}

/**
 * Verifies an RSA signature over `data` (the hash is computed here). A signature longer than the
 * modulus is refused (RFC 8017 §8.2.2 step 1); a shorter one, whose leading zero octets an encoder
 * dropped, is the same integer and is read as such, left-padded to the modulus length.
 */
export async function verifyRsa(
  key: RsaPublicKey,
  scheme: RsaScheme,
  data: Uint8Array,
  signatureAsSent: Uint8Array,
): Promise<boolean> {
  const k = Math.ceil(key.modulusBits / 8);
  if (signatureAsSent.length > k) return false;
  const signature = new Uint8Array(k);
  signature.set(signatureAsSent, k - signatureAsSent.length);
  const hashName = webCryptoHashName(scheme.hash);
  const sameMgf = scheme.kind !== "rsa-pss" || scheme.mgf1Hash === scheme.hash;
  if (hashName && sameMgf) {
    try {
      const valid = await verifyWithWebCrypto(key, scheme, hashName, data, signature);
      // WebCrypto knows only the DigestInfo with NULL parameters; the one without them (also
      // seen, see `pkcs1Encodings`) is checked on the bigint path.
      if (valid || scheme.kind === "rsa-pss") return valid;
    } catch {
      // WebCrypto refused the key or parameters (e.g. an unusual exponent): use the bigint path.
    }
  }
  return await verifyRsaBigInt(key, scheme, data, signature);
}

/** The RFC 8017 bigint path alone (exported so tests can cross-check it against WebCrypto). */
export async function verifyRsaBigInt(
  key: RsaPublicKey,
  scheme: RsaScheme,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const messageHash = await digest(scheme.hash, data);
  return scheme.kind === "rsa-pss"
    ? await verifyPssEncoded(key, scheme, messageHash, signature)
    : verifyPkcs1Encoded(key, scheme.hash, messageHash, signature);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** s^e mod n as bytes of `length`, or null when the signature is out of range. */
function rsaPublicOperation(
  key: RsaPublicKey,
  signature: Uint8Array,
  length: number,
): Uint8Array | null {
  let s = 0n;
  for (const b of signature) s = (s << 8n) | BigInt(b);
  if (s >= key.n) return null;
  const m = modPow(s, key.e, key.n);
  const em = bigIntToBytes(m, length);
  return em.length === length ? em : null;
}

/**
 * The EMSA-PKCS1-v1_5 encodings of a hash for a modulus of `k` octets (RFC 8017 §9.2): `00 01`,
 * `FF` octets, `00`, then the DigestInfo — with NULL algorithm parameters, or without them (§9.2
 * note 1: both are seen, and a verifier accepts both).
 */
function pkcs1Encodings(hash: HashName, messageHash: Uint8Array, k: number): Uint8Array[] {
  const oid = derOid(hashOid(hash));
  return [derSequence(oid, derNull()), derSequence(oid)].flatMap((algorithm) => {
    const digestInfo = derSequence(algorithm, derOctetString(messageHash));
    if (digestInfo.length + 11 > k) return [];
    const em = new Uint8Array(k);
    em[1] = 0x01;
    em.fill(0xff, 2, k - digestInfo.length - 1);
    em.set(digestInfo, k - digestInfo.length);
    return [em];
  });
}

/**
 * RSASSA-PKCS1-v1_5 verification as RFC 8017 §8.2.2 defines it: the expected encoding is built
 * from the hash and compared octet for octet. Parsing the recovered block instead accepts octets
 * nobody checked after or inside the DigestInfo, which is how signatures are forged for small
 * public exponents (Bleichenbacher, 2006).
 */
function verifyPkcs1Encoded(
  key: RsaPublicKey,
  hash: HashName,
  messageHash: Uint8Array,
  signature: Uint8Array,
): boolean {
  const k = Math.ceil(key.modulusBits / 8);
  const em = rsaPublicOperation(key, signature, k);
  return em !== null && pkcs1Encodings(hash, messageHash, k).some((e) => bytesEqual(e, em));
}

async function mgf1(hash: HashName, seed: Uint8Array, length: number): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (let counter = 0; blocks.length * HASH_LENGTH[hash] < length; counter++) {
    const c = new Uint8Array([
      counter >>> 24,
      (counter >>> 16) & 255,
      (counter >>> 8) & 255,
      counter & 255,
    ]);
    blocks.push(await digest(hash, concatBytes([seed, c])));
  }
  return concatBytes(blocks).subarray(0, length);
}

async function verifyPssEncoded(
  key: RsaPublicKey,
  scheme: { hash: HashName; mgf1Hash: HashName; saltLength: number },
  messageHash: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  const emBits = key.modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = HASH_LENGTH[scheme.hash];
  const k = Math.ceil(key.modulusBits / 8);
  const full = rsaPublicOperation(key, signature, k);
  if (!full || emLen < hLen + scheme.saltLength + 2) return false;
  if (k > emLen && full[0] !== 0) return false;
  const em = full.subarray(k - emLen);
  if (em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if ((maskedDb[0] & ~topMask) !== 0) return false;
  const dbMask = await mgf1(scheme.mgf1Hash, h, maskedDb.length);
  const db = maskedDb.map((b, i) => b ^ dbMask[i]);
  db[0] &= topMask;
  const psLength = emLen - hLen - scheme.saltLength - 2;
  for (let i = 0; i < psLength; i++) if (db[i] !== 0) return false;
  if (db[psLength] !== 1) return false;
  const salt = db.subarray(db.length - scheme.saltLength);
  const mPrime = concatBytes([new Uint8Array(8), messageHash, salt]);
  return bytesEqual(await digest(scheme.hash, mPrime), h);
}
