/**
 * Decoding the value types the LDS data groups share: UTF-8 text, `<`-separated lists and
 * dates written either as ASCII digits or as packed BCD (both occur on real chips).
 */

const utf8 = new TextDecoder("utf-8");

/** UTF-8 text of a value; malformed sequences become U+FFFD rather than an exception. */
export function decodeText(value: Uint8Array): string {
  return utf8.decode(value);
}

/** Splits an ICAO `<`-separated list (address lines, other TD numbers) into its parts. */
export function splitList(text: string): string[] {
  return text.split("<").map((part) => part.trim()).filter((part) => part !== "");
}

function bcdDigits(value: Uint8Array): string | null {
  let digits = "";
  for (const byte of value) {
    const high = byte >> 4;
    const low = byte & 0x0f;
    if (high > 9 || low > 9) return null;
    digits += `${high}${low}`;
  }
  return digits;
}

/** The digits of a date value: ASCII digits, or packed BCD when the bytes are not ASCII. */
export function dateDigits(value: Uint8Array): string | null {
  const text = decodeText(value);
  if (/^[0-9]+$/.test(text)) return text;
  return bcdDigits(value);
}

/**
 * A `YYYYMMDD` value as `YYYY-MM-DD`. ICAO allows unknown parts written as `00`, so the date is
 * reformatted, not calendar-checked. Returns the raw text when it is not 8 digits.
 */
export function formatLdsDate(value: Uint8Array): string {
  const digits = dateDigits(value);
  if (!digits || digits.length !== 8) return decodeText(value);
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
}

/** A `YYYYMMDDhhmmss` value as `YYYY-MM-DDThh:mm:ss`; the raw text otherwise. */
export function formatLdsDateTime(value: Uint8Array): string {
  const digits = dateDigits(value);
  if (!digits || digits.length !== 14) return decodeText(value);
  const date = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
  return `${date}T${digits.slice(8, 10)}:${digits.slice(10, 12)}:${digits.slice(12, 14)}`;
}
