/**
 * The two key agreements of Chip Authentication: ECDH on the chip's curve (named or explicit
 * parameters) and finite-field DH in the chip's group. Ephemeral keys come from an injected
 * random source so tests can control them.
 */
import { nobleCurve } from "./curves.ts";
import { bigintToBytes, decodeUnsigned, DerError, modPow } from "./der.ts";
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
