/**
 * Access keys (ICAO 9303-11 §4.3, §4.4): the MRZ information (document number, date of birth,
 * date of expiry, each with its check digit) or a card access number. Keys never appear in
 * logs or error details.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { ChipError } from "./errors.ts";

/** What the user gives to open the chip. */
export type AccessKey =
  | { kind: "mrz"; documentNumber: string; dateOfBirth: string; dateOfExpiry: string }
  | { kind: "can"; can: string };

/** ICAO 9303-3 check digit (weights 7, 3, 1; `<` = 0, A = 10 … Z = 35). */
export function checkDigit(text: string): string {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const value = c === "<"
      ? 0
      : c >= "0" && c <= "9"
      ? c.charCodeAt(0) - 48
      : c.charCodeAt(0) - 55;
    sum += value * weights[i % 3];
  }
  return String(sum % 10);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** The MRZ information string: number (padded to 9 with `<`) + CD, DOB + CD, DOE + CD. */
export function mrzInformation(key: Extract<AccessKey, { kind: "mrz" }>): string {
  const number = key.documentNumber.toUpperCase().replace(/\s+/g, "").padEnd(9, "<");
  if (!/^[A-Z0-9<]{9,}$/.test(number)) {
    throw new ChipError("invalid_access_key", "document number has characters outside A-Z 0-9");
  }
  for (const date of [key.dateOfBirth, key.dateOfExpiry]) {
    if (!/^\d{6}$/.test(date)) throw new ChipError("invalid_access_key", "a date is not YYMMDD");
  }
  return number + checkDigit(number) + key.dateOfBirth + checkDigit(key.dateOfBirth) +
    key.dateOfExpiry + checkDigit(key.dateOfExpiry);
}

/** BAC key seed: the first 16 bytes of SHA-1(MRZ information). */
export function bacKeySeed(key: Extract<AccessKey, { kind: "mrz" }>): Uint8Array {
  return sha1(ascii(mrzInformation(key))).slice(0, 16);
}

/** PACE's K = f(π): SHA-1(MRZ information) for the MRZ, the CAN itself for a CAN. */
export function pacePassword(key: AccessKey): Uint8Array {
  if (key.kind === "mrz") return sha1(ascii(mrzInformation(key)));
  if (!/^\d{6}$/.test(key.can)) {
    throw new ChipError("invalid_access_key", "the CAN is not 6 digits");
  }
  return ascii(key.can);
}

/** Validates a key up front (so a typo is `invalid_access_key`, not a chip refusal). */
export function validateAccessKey(key: AccessKey): void {
  if (key?.kind === "mrz") mrzInformation(key);
  else if (key?.kind === "can") pacePassword(key);
  else throw new ChipError("invalid_access_key", "unknown access key kind");
}
