/**
 * ISO/IEC 9796-2 digital signature scheme 1 (as used by ICAO 9303 Active Authentication with
 * RSA keys): raw RSA recovery, header and trailer parsing, partial and full message recovery.
 */
import { bigintToBytes, decodeUnsigned, modPow } from "../chip/der.ts";
import { digest, DIGEST_LENGTH, type HashName } from "../chip/hashes.ts";
import type { RsaPublicKey } from "../chip/public_key.ts";

/** Two-byte trailer hash identifiers (ISO/IEC 10118-3 numbering used by ISO 9796-2). */
export const TRAILER_HASH_IDS: Record<number, HashName> = {
  0x33: "SHA-1",
  0x34: "SHA-256",
  0x35: "SHA-512",
  0x36: "SHA-384",
  0x38: "SHA-224",
};

/** A recovered message representative, split into its parts. */
export interface RecoveredMessage {
  hash: HashName;
  /** True for header 0x6A (partial recovery), false for 0x4A (full recovery). */
  partialRecovery: boolean;
  /** The recoverable message part M1. */
  m1: Uint8Array;
  /** The digest D carried in the representative. */
  digest: Uint8Array;
}

/** Why recovery failed. */
export type RecoveryFailure = "signature_out_of_range" | "bad_header" | "bad_trailer";

/** Applies the public key to the signature and parses the representative F. */
export function recoverMessage(
  key: RsaPublicKey,
  signature: Uint8Array,
): { ok: true; message: RecoveredMessage } | { ok: false; reason: RecoveryFailure } {
  const s = decodeUnsigned(signature);
  if (s === 0n || s >= key.modulus) return { ok: false, reason: "signature_out_of_range" };
  let m = modPow(s, key.exponent, key.modulus);
  // ISO 9796-2 lets the signer publish min(σ, n-σ); the representative always ends in nibble C.
  if ((m & 0xfn) !== 0xcn) m = key.modulus - m;
  const f = bigintToBytes(m, Math.ceil(key.bits / 8));
  return parseRepresentative(f);
}

/** Parses F = header ‖ padding ‖ M1 ‖ D ‖ trailer. */
export function parseRepresentative(
  f: Uint8Array,
): { ok: true; message: RecoveredMessage } | { ok: false; reason: RecoveryFailure } {
  const trailer = parseTrailer(f);
  if (!trailer) return { ok: false, reason: "bad_trailer" };
  const start = messageStart(f);
  if (start < 0) return { ok: false, reason: "bad_header" };
  const digestEnd = f.length - trailer.length;
  const digestStart = digestEnd - DIGEST_LENGTH[trailer.hash];
  if (digestStart < start) return { ok: false, reason: "bad_trailer" };
  return {
    ok: true,
    message: {
      hash: trailer.hash,
      partialRecovery: (f[0] & 0x20) !== 0,
      m1: f.slice(start, digestStart),
      digest: f.slice(digestStart, digestEnd),
    },
  };
}

function parseTrailer(f: Uint8Array): { hash: HashName; length: number } | undefined {
  if (f.length < 24) return undefined;
  const last = f[f.length - 1];
  if (last === 0xbc) return { hash: "SHA-1", length: 1 };
  if (last !== 0xcc) return undefined;
  const hash = TRAILER_HASH_IDS[f[f.length - 2]];
  return hash ? { hash, length: 2 } : undefined;
}

/** Index of M1 after the header bits and the 0xB…A padding nibbles, or -1. */
function messageStart(f: Uint8Array): number {
  if ((f[0] & 0xc0) !== 0x40) return -1;
  // The low nibble of byte 0 starts the padding: B nibbles, then A closes it on a byte boundary.
  let index = 0;
  let nibble = f[0] & 0x0f;
  while (nibble === 0x0b) {
    index++;
    if (index >= f.length) return -1;
    if (f[index] >> 4 !== 0x0b) return -1;
    nibble = f[index] & 0x0f;
  }
  return nibble === 0x0a ? index + 1 : -1;
}

/**
 * Checks a recovered message against the challenge: D = H(M1 ‖ challenge) (the challenge is the
 * non-recoverable part). For full recovery some chips sign the challenge itself as M1, so
 * D = H(M1) with M1 = challenge is accepted too.
 */
export function digestMatchesChallenge(message: RecoveredMessage, challenge: Uint8Array): boolean {
  const withChallenge = new Uint8Array(message.m1.length + challenge.length);
  withChallenge.set(message.m1);
  withChallenge.set(challenge, message.m1.length);
  if (equalBytes(digest(message.hash, withChallenge), message.digest)) return true;
  return !message.partialRecovery && equalBytes(message.m1, challenge) &&
    equalBytes(digest(message.hash, message.m1), message.digest);
}

/** Constant-shape byte comparison. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
