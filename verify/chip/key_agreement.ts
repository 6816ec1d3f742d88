/**
 * The two key agreements of Chip Authentication: ECDH on the chip's curve (named or explicit
 * parameters) and finite-field DH in the chip's group. Ephemeral keys come from an injected
 * random source so tests can control them.
 *
 * The server's agreement ({@link agreeWithChip}) runs on WebCrypto for the curves it has (P-256,
 * P-384, P-521): native code, where noble's constant-time multiplication in `BigInt` allocates
 * ~2 MB of short-lived numbers per agreement, garbage that raised the server's memory with many
 * phones at once (docs/performance.md). Brainpool and unnamed explicit curves, and DH, stay on
 * noble and `BigInt`; both paths give the same bytes for the same random source (tested).
 */
import { curveOid, nobleCurve } from "./curves.ts";
import {
  bigintToBytes,
  decodeUnsigned,
  DerError,
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  modPow,
} from "./der.ts";
import type { DhPublicKey, EcPublicKey } from "./public_key.ts";

/** A source of random bytes (`crypto.getRandomValues` in production). */
export type RandomSource = (length: number) => Uint8Array;

/** The default random source. */
export const systemRandom: RandomSource = (length) =>
  crypto.getRandomValues(new Uint8Array(length));

/** An ephemeral key pair in the same domain as a static key. */
export interface EphemeralKeyPair {
  privateScalar: bigint;
  /** Encoded public key: uncompressed point (ECDH) or unsigned value of |p| bytes (DH). */
  publicKey: Uint8Array;
}

function byteLength(value: bigint): number {
  return Math.ceil(value.toString(16).length / 2);
}

/** A uniformly distributed integer in [1, limit-1] from extra random bytes (bias ≤ 2^-64). */
function randomBelow(limit: bigint, random: RandomSource): bigint {
  const bytes = random(byteLength(limit) + 8);
  return (decodeUnsigned(bytes) % (limit - 1n)) + 1n;
}

/** Generates the terminal's ephemeral key pair in the domain of `staticKey`. */
export function generateEphemeralKeyPair(
  staticKey: EcPublicKey | DhPublicKey,
  random: RandomSource,
): EphemeralKeyPair {
  if (staticKey.kind === "ec") {
    const curve = nobleCurve(staticKey.curve);
    const privateScalar = randomBelow(staticKey.curve.params.n, random);
    return { privateScalar, publicKey: curve.Point.BASE.multiply(privateScalar).toBytes(false) };
  }
  const limit = staticKey.order ?? staticKey.prime - 1n;
  const privateScalar = randomBelow(limit, random);
  const publicValue = modPow(staticKey.generator, privateScalar, staticKey.prime);
  return { privateScalar, publicKey: bigintToBytes(publicValue, byteLength(staticKey.prime)) };
}

/**
 * The shared secret of ICAO 9303 p11 §9.6: the x-coordinate of d·Q for ECDH, or y^x mod p for DH,
 * as octets of the field (prime) length. Throws {@link DerError} when the peer key is invalid.
 */
export function computeSharedSecret(
  domainKey: EcPublicKey | DhPublicKey,
  privateScalar: bigint,
  peerPublicKey: Uint8Array,
): Uint8Array {
  if (domainKey.kind === "ec") {
    const curve = nobleCurve(domainKey.curve);
    let point;
    try {
      point = curve.Point.fromBytes(peerPublicKey);
      point.assertValidity();
    } catch {
      throw new DerError("bad_key", "the peer public key is not a point of the curve");
    }
    const shared = point.multiply(privateScalar).toAffine();
    return bigintToBytes(shared.x, domainKey.curve.fieldLength);
  }
  const peer = decodeUnsigned(peerPublicKey);
  if (peer < 2n || peer > domainKey.prime - 2n) {
    throw new DerError("bad_key", "DH value out of range");
  }
  return bigintToBytes(modPow(peer, privateScalar, domainKey.prime), byteLength(domainKey.prime));
}

/** The terminal's side of one key agreement: its ephemeral public key and the shared secret. */
export interface TerminalAgreement {
  /** Encoded like {@link EphemeralKeyPair.publicKey}. */
  publicKey: Uint8Array;
  sharedSecret: Uint8Array;
}

/** Curves WebCrypto agrees on, by name. */
const WEBCRYPTO_CURVES = new Set(["P-256", "P-384", "P-521"]);
const EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1";

/**
 * Generates the terminal's ephemeral key in the domain of `staticKey` and agrees with that key
 * (ICAO 9303 p11 §6.2). The private key never leaves this call. Throws {@link DerError} when the
 * static key is not valid in its domain.
 */
export async function agreeWithChip(
  staticKey: EcPublicKey | DhPublicKey,
  random: RandomSource,
): Promise<TerminalAgreement> {
  if (
    staticKey.kind === "ec" && WEBCRYPTO_CURVES.has(staticKey.curve.name) &&
    staticKey.point[0] === 0x04
  ) {
    return await agreeOnWebCrypto(staticKey, random);
  }
  const pair = generateEphemeralKeyPair(staticKey, random);
  const encoded = staticKey.kind === "ec" ? staticKey.point : bigintToBytes(staticKey.publicValue);
  return {
    publicKey: pair.publicKey,
    sharedSecret: computeSharedSecret(staticKey, pair.privateScalar, encoded),
  };
}

async function agreeOnWebCrypto(
  staticKey: EcPublicKey,
  random: RandomSource,
): Promise<TerminalAgreement> {
  const { curve } = staticKey;
  // The point is checked here, not left to the import (an off-curve point would make the shared
  // secret guessable: the invalid-curve attack).
  try {
    nobleCurve(curve).Point.fromBytes(staticKey.point).assertValidity();
  } catch {
    throw new DerError("bad_key", "the peer public key is not a point of the curve");
  }
  const algorithm = { name: "ECDH", namedCurve: curve.name };
  const peer = await crypto.subtle.importKey(
    "raw",
    staticKey.point as Uint8Array<ArrayBuffer>,
    algorithm,
    false,
    [],
  );
  // The scalar comes from the injected source, as on the noble path; the key is imported from
  // it (a PKCS #8 ECPrivateKey without its public half, which WebCrypto computes).
  const scalar = randomBelow(curve.params.n, random);
  const privateKeyInfo = encodeSequence(
    encodeInteger(0),
    encodeSequence(encodeOid(EC_PUBLIC_KEY_OID), encodeOid(curveOid(curve)!)),
    encodeOctetString(
      encodeSequence(
        encodeInteger(1),
        encodeOctetString(bigintToBytes(scalar, curve.fieldLength)),
      ),
    ),
  );
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    privateKeyInfo as Uint8Array<ArrayBuffer>,
    algorithm,
    true,
    ["deriveBits"],
  );
  const { x, y } = await crypto.subtle.exportKey("jwk", privateKey);
  const shared = await crypto.subtle.deriveBits(
    { name: "ECDH", public: peer },
    privateKey,
    curve.fieldLength * 8,
  );
  return {
    publicKey: Uint8Array.of(
      0x04,
      ...Uint8Array.fromBase64(x!, { alphabet: "base64url" }),
      ...Uint8Array.fromBase64(y!, { alphabet: "base64url" }),
    ),
    sharedSecret: new Uint8Array(shared),
  };
}
