/**
 * ICAO Doc 9303 Part 3 §4.9 check digits: weights 7, 3, 1 repeating; `0`–`9` count as
 * themselves, `A`–`Z` as 10–35 and the filler `<` as 0.
 */

const WEIGHTS = [7, 3, 1] as const;

/** The numeric value of one MRZ character, or null when it is not an MRZ character. */
export function mrzCharValue(char: string): number | null {
  const code = char.charCodeAt(0);
  if (char.length !== 1) return null;
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x5a) return code - 0x41 + 10;
  if (char === "<") return 0;
  return null;
}

/** The check digit (0–9) of `field`, or null when the field holds a non-MRZ character. */
export function computeCheckDigit(field: string): number | null {
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const value = mrzCharValue(field[i]);
    if (value === null) return null;
    sum += value * WEIGHTS[i % 3];
  }
  return sum % 10;
}

/**
 * True when `checkChar` is the correct check digit of `field`.
 *
 * A filler `<` in the check position is accepted only when `fillerAllowedWhenEmpty` is set and
 * the field is all fillers: ICAO allows it for an empty optional/personal-number field, and its
 * value (0) is what the composite check digit then counts.
 */
export function isCheckDigitValid(
  field: string,
  checkChar: string,
  fillerAllowedWhenEmpty = false,
): boolean {
  const expected = computeCheckDigit(field);
  if (expected === null) return false;
  if (checkChar === "<") return fillerAllowedWhenEmpty && /^<*$/.test(field);
  if (!/^[0-9]$/.test(checkChar)) return false;
  return Number(checkChar) === expected;
}
