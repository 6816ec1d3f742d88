/**
 * Identifiers (docs/api.md#identifiers): a prefix and a random part of lowercase `[a-z0-9]` drawn from a
 * CSPRNG with rejection sampling, so every character is equally likely.
 */
import { cryptoRandom, type RandomSource } from "./random.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
// 252 = 7 * 36: bytes at or above it are rejected so the modulo is unbiased.
const REJECT_AT = 252;

/** Random lengths per prefix, from docs/api.md#identifiers (plus the platform's own internal records). */
export const ID_LENGTHS = {
  vs: 64,
  va: 64,
  evt: 64,
  whe: 32,
  whk: 32,
  whd: 64,
  wha: 64,
  usr: 24,
  org: 24,
  key: 24,
  inv: 24,
  job: 32,
} as const;

/** A known id prefix. */
export type IdPrefix = keyof typeof ID_LENGTHS;

/** A random `[a-z0-9]` string of the given length. */
export function randomAlphanumeric(length: number, random: RandomSource = cryptoRandom): string {
  let out = "";
  while (out.length < length) {
    for (const byte of random.bytes(length - out.length + 8)) {
      if (byte >= REJECT_AT) continue;
      out += ALPHABET[byte % 36];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A new id such as `vs_<64 chars>`. */
export function newId(prefix: IdPrefix, random: RandomSource = cryptoRandom): string {
  return `${prefix}_${randomAlphanumeric(ID_LENGTHS[prefix], random)}`;
}

/** True when `value` is a well-formed id of the given prefix. */
export function isId(prefix: IdPrefix, value: string): boolean {
  return new RegExp(`^${prefix}_[a-z0-9]{${ID_LENGTHS[prefix]}}$`).test(value);
}

/** Base64url without padding, for opaque tokens. */
export function randomToken(bytes = 32, random: RandomSource = cryptoRandom): string {
  return toBase64Url(random.bytes(bytes));
}

/** Encodes bytes as base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Decodes base64url (padding optional); throws on invalid input. */
export function fromBase64Url(text: string): Uint8Array {
  // Standard-alphabet characters are accepted too, as before.
  return Uint8Array.fromBase64(text.replaceAll("+", "-").replaceAll("/", "_"), {
    alphabet: "base64url",
  });
}
