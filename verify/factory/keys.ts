/**
 * Key material for synthetic documents: RSA key pairs (WebCrypto, cached per process so tests stay
 * fast), EC key pairs on any named curve (noble), and PKCS#8 / SPKI encodings of both.
 */
import {
  curveByName,
  decodeEcParameters,
  type EcCurve,
  encodeExplicitEcParameters,
  nobleCurve,
} from "../chip/curves.ts";
import {
  bigintToBytes,
  decodeInteger,
  decodeOid,
  decodeUnsigned,
  DerError,
  encodeBitString,
  encodeInteger,
  encodeNull,
  encodeOid,
  encodeSequence,
  expectTag,
  modPow,
  readChildren,
  readSingleTlv,
} from "../chip/der.ts";
import type { DhPublicKey, EcPublicKey, RsaPublicKey } from "../chip/public_key.ts";

/** An RSA key pair with the raw numbers (for ISO 9796-2 signing) and a WebCrypto private key. */
export interface RsaKeyPair {
  kind: "rsa";
  publicKey: RsaPublicKey;
  privateExponent: bigint;
  /** DER SubjectPublicKeyInfo (rsaEncryption). */
  spki: Uint8Array;
  /** DER PKCS#8, importable into WebCrypto for PKCS#1 v1.5 or PSS. */
  pkcs8: Uint8Array;
}

/** An EC key pair on a known curve. */
export interface EcKeyPair {
  kind: "ec";
  publicKey: EcPublicKey;
  privateScalar: bigint;
}

/** Either kind of key pair. */
export type KeyPair = RsaKeyPair | EcKeyPair;

const rsaCache = new Map<string, Promise<RsaKeyPair>>();

function base64UrlToBigint(value: string): bigint {
  return decodeUnsigned(Uint8Array.fromBase64(value, { alphabet: "base64url" }));
}

async function generateRsa(bits: number): Promise<RsaKeyPair> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: Uint8Array.of(1, 0, 1),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const modulus = base64UrlToBigint(jwk.n!);
  return {
    kind: "rsa",
    publicKey: { kind: "rsa", modulus, exponent: base64UrlToBigint(jwk.e!), bits },
    privateExponent: base64UrlToBigint(jwk.d!),
    spki: new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)),
    pkcs8: new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)),
  };
}

/**
 * An RSA key pair of `bits` bits. `slot` names a cached key: the same (bits, slot) gives the same
 * key within a process, a different slot gives a different key (e.g. a "wrong" AA key).
 */
export function rsaKeyPair(bits: number, slot = "default"): Promise<RsaKeyPair> {
  const cacheKey = `${bits}:${slot}`;
  let pair = rsaCache.get(cacheKey);
  if (!pair) {
    pair = generateRsa(bits);
    rsaCache.set(cacheKey, pair);
  }
  return pair;
}

/** An EC key pair; with `seed` the scalar is derived deterministically from it. */
export function ecKeyPair(curveName: string, seed?: Uint8Array): EcKeyPair {
  const curve = curveByName(curveName);
  return ecKeyPairOn(curve, seed);
}

/** An EC key pair on any curve (named or explicit). */
export function ecKeyPairOn(curve: EcCurve, seed?: Uint8Array): EcKeyPair {
  const noble = nobleCurve(curve);
  const n = curve.params.n;
  const material = seed ?? crypto.getRandomValues(new Uint8Array(curve.fieldLength + 8));
  const privateScalar = (decodeUnsigned(material) % (n - 1n)) + 1n;
  const point = noble.Point.BASE.multiply(privateScalar).toBytes(false);
  return { kind: "ec", publicKey: { kind: "ec", curve, point }, privateScalar };
}

/** The private scalar as fixed-length bytes (noble's secret-key format). */
export function ecSecretKeyBytes(pair: EcKeyPair): Uint8Array {
  return bigintToBytes(
    pair.privateScalar,
    Math.ceil(pair.publicKey.curve.params.n.toString(16).length / 2),
  );
}

/** DER SubjectPublicKeyInfo of an EC key, with explicit parameters (as many passports use). */
export function ecSpki(key: EcPublicKey, explicit = true): Uint8Array {
  const parameters = explicit
    ? encodeExplicitEcParameters(key.curve)
    : encodeOid(namedOid(key.curve));
  return encodeSequence(
    encodeSequence(encodeOid("1.2.840.10045.2.1"), parameters),
    encodeBitString(key.point),
  );
}

function namedOid(curve: EcCurve): string {
  const oids: Record<string, string> = {
    "P-256": "1.2.840.10045.3.1.7",
    "P-384": "1.3.132.0.34",
    "P-521": "1.3.132.0.35",
  };
  const oid = oids[curve.name];
  if (!oid) throw new DerError("unknown_curve", "only NIST curves are written by name");
  return oid;
}

/** DER SubjectPublicKeyInfo of an RSA key (rsaEncryption). */
export function rsaSpki(key: RsaPublicKey): Uint8Array {
  const rsaKey = encodeSequence(encodeInteger(key.modulus), encodeInteger(key.exponent));
  return encodeSequence(
    encodeSequence(encodeOid("1.2.840.113549.1.1.1"), encodeNull()),
    encodeBitString(rsaKey),
  );
}

/** Reads an EC private key from PKCS#8 (named or explicit parameters), e.g. the BSI CA key. */
export function decodeEcPkcs8(bytes: Uint8Array): EcKeyPair {
  const [version, algorithm, privateKey] = readChildren(
    expectTag(readSingleTlv(bytes), 0x30, "PrivateKeyInfo"),
  );
  decodeInteger(expectTag(version, 0x02, "version"));
  const [oid, parameters] = readChildren(expectTag(algorithm, 0x30, "AlgorithmIdentifier"));
  if (decodeOid(oid) !== "1.2.840.10045.2.1" || !parameters) {
    throw new DerError("unsupported_key", "not an EC key");
  }
  const curve = decodeEcParameters(parameters);
  const [, scalar] = readChildren(
    expectTag(readSingleTlv(expectTag(privateKey, 0x04, "privateKey").value), 0x30, "ECPrivateKey"),
  );
  const privateScalar = decodeUnsigned(expectTag(scalar, 0x04, "private scalar").value);
  const point = nobleCurve(curve).Point.BASE.multiply(privateScalar).toBytes(false);
  return { kind: "ec", publicKey: { kind: "ec", curve, point }, privateScalar };
}

/** RFC 5114 §2.1: the 1024-bit MODP group with a 160-bit prime-order subgroup (public constants). */
export const RFC5114_GROUP_1 = {
  prime: BigInt(
    "0xB10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
  ),
  generator: BigInt(
    "0xA4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
  ),
  order: BigInt("0xF518AA8781A8DF278ABA4E7D64B7CB9D49462353"),
};

/** A DH key pair in the RFC 5114 group 1 (for Chip Authentication with DH). */
export function dhKeyPair(): { publicKey: DhPublicKey; privateScalar: bigint } {
  const { prime, generator, order } = RFC5114_GROUP_1;
  const privateScalar =
    (decodeUnsigned(crypto.getRandomValues(new Uint8Array(28))) % (order - 1n)) + 1n;
  const publicValue = modPow(generator, privateScalar, prime);
  return { publicKey: { kind: "dh", prime, generator, order, publicValue }, privateScalar };
}

/** DER SubjectPublicKeyInfo of a DH key (X9.42 dhpublicnumber with p, g, q). */
export function dhSpki(key: DhPublicKey): Uint8Array {
  const parameters = encodeSequence(
    encodeInteger(key.prime),
    encodeInteger(key.generator),
    encodeInteger(key.order ?? 0n),
  );
  return encodeSequence(
    encodeSequence(encodeOid("1.2.840.10046.2.1"), parameters),
    encodeBitString(encodeInteger(key.publicValue)),
  );
}
