/**
 * The MRZ entry screen's validation, run on every keystroke: the document number, the date of
 * birth and the date of expiry as printed on the data page (ICAO 9303-3/-4), each optionally with
 * the check digit that follows it in the machine readable zone. A field is `incomplete` while the
 * user is still typing, `invalid` with a sentence to act on, or `valid`. Nothing here is stored
 * or logged.
 */
import { checkDigit } from "../../../phone/chip/mod.ts";
import type { AccessKey } from "../../../phone/chip/mod.ts";

export { checkDigit };

/** What the user typed (check digits are optional). */
export interface MrzEntry {
  documentNumber: string;
  documentNumberCheckDigit?: string;
  /** YYMMDD as in the MRZ, or DD.MM.YYYY / DD/MM/YYYY / DD-MM-YYYY / YYYY-MM-DD. */
  dateOfBirth: string;
  dateOfBirthCheckDigit?: string;
  dateOfExpiry: string;
  dateOfExpiryCheckDigit?: string;
}

/** One field's state. */
export type FieldState =
  | { state: "incomplete" }
  | { state: "invalid"; code: MrzFieldError; message: string }
  | { state: "valid"; value: string; checkDigit: string };

/** Stable codes of an invalid field. */
export type MrzFieldError =
  | "characters"
  | "too_long"
  | "date_format"
  | "date_impossible"
  | "birth_in_future"
  | "document_expired"
  | "check_digit";

const MESSAGES: Record<MrzFieldError, string> = {
  characters: "Use only the letters A–Z and digits, as printed on the document.",
  too_long: "A document number has at most 9 characters here; check the printed page.",
  date_format: "Enter the date as DD.MM.YYYY or as the six digits YYMMDD of the MRZ.",
  date_impossible: "This date does not exist; check the day and month.",
  birth_in_future: "The date of birth cannot be in the future.",
  document_expired: "This document has expired; an expired document cannot be verified.",
  check_digit:
    "The check digit does not match. Compare the number and its check digit with the bottom lines of the data page.",
};

/** The sentence for an invalid field. */
export function mrzFieldMessage(code: MrzFieldError): string {
  return MESSAGES[code];
}

function invalid(code: MrzFieldError): FieldState {
  return { state: "invalid", code, message: MESSAGES[code] };
}

function checked(value: string, typedDigit: string | undefined): FieldState {
  const digit = checkDigit(value);
  const typed = (typedDigit ?? "").trim();
  if (typed !== "" && typed !== digit) return invalid("check_digit");
  return { state: "valid", value, checkDigit: digit };
}

/** Validates the document number (spaces and `<` padding ignored, letters upper-cased). */
export function validateDocumentNumber(
  input: string,
  typedDigit?: string,
): FieldState {
  const value = input.toUpperCase().replace(/[\s<]+/g, "");
  if (value === "") return { state: "incomplete" };
  if (/[^A-Z0-9]/.test(value)) return invalid("characters");
  if (value.length > 9) return invalid("too_long");
  return checked(value, typedDigit);
}

const DATE_FORMS: Array<
  [RegExp, (m: RegExpMatchArray) => [string, string, string]]
> = [
  [/^(\d{2})(\d{2})(\d{2})$/, (m) => [m[1], m[2], m[3]]],
  [
    /^(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})$/,
    (m) => [m[3].slice(2), m[2], m[1]],
  ],
  [/^(\d{4})-(\d{2})-(\d{2})$/, (m) => [m[1].slice(2), m[2], m[3]]],
];

function normaliseDate(
  input: string,
): { yymmdd: string; full?: number } | "incomplete" | null {
  const text = input.trim();
  if (text === "") return "incomplete";
  for (const [pattern, parts] of DATE_FORMS) {
    const m = text.match(pattern);
    if (!m) continue;
    const [yy, mm, dd] = parts(m);
    const full = m[0].length > 6 ? Number(m[3]?.length === 4 ? m[3] : m[1]) : undefined;
    return { yymmdd: yy + mm.padStart(2, "0") + dd.padStart(2, "0"), full };
  }
  // Still typing: digits and separators only, shorter than a whole date.
  if (/^[\d./\- ]{0,9}$/.test(text)) return "incomplete";
  return null;
}

function calendarValid(yymmdd: string, century: number): Date | null {
  const y = century + Number(yymmdd.slice(0, 2));
  const m = Number(yymmdd.slice(2, 4));
  const d = Number(yymmdd.slice(4, 6));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date;
}

/** Validates a date of birth (a two-digit year is in the past century when it would be future). */
export function validateDateOfBirth(
  input: string,
  now: Date,
  typedDigit?: string,
): FieldState {
  const date = normaliseDate(input);
  if (date === "incomplete") return { state: "incomplete" };
  if (!date) return invalid("date_format");
  const nowYear = now.getUTCFullYear();
  const century = date.full !== undefined
    ? Math.floor(date.full / 100) * 100
    : 2000 + Number(date.yymmdd.slice(0, 2)) > nowYear
    ? 1900
    : 2000;
  const parsed = calendarValid(date.yymmdd, century);
  if (!parsed) return invalid("date_impossible");
  if (parsed.getTime() > now.getTime()) return invalid("birth_in_future");
  return checked(date.yymmdd, typedDigit);
}

/** Validates a date of expiry (two-digit years are 20YY; an expired document is refused). */
export function validateDateOfExpiry(
  input: string,
  now: Date,
  typedDigit?: string,
): FieldState {
  const date = normaliseDate(input);
  if (date === "incomplete") return { state: "incomplete" };
  if (!date) return invalid("date_format");
  const century = date.full !== undefined ? Math.floor(date.full / 100) * 100 : 2000;
  const parsed = calendarValid(date.yymmdd, century);
  if (!parsed) return invalid("date_impossible");
  const today = Date.UTC(
    now.getUTCFullYear(),
    now.getUTCMonth(),
    now.getUTCDate(),
  );
  if (parsed.getTime() < today) return invalid("document_expired");
  return checked(date.yymmdd, typedDigit);
}

/** Every field's state, and the access key once all three are valid. */
export interface MrzValidation {
  documentNumber: FieldState;
  dateOfBirth: FieldState;
  dateOfExpiry: FieldState;
  /** Present only when every field is valid. Keep it in memory only. */
  key: Extract<AccessKey, { kind: "mrz" }> | null;
}

/** Validates the whole entry (call it on every keystroke). */
export function validateMrzEntry(
  entry: MrzEntry,
  now: Date = new Date(),
): MrzValidation {
  const documentNumber = validateDocumentNumber(
    entry.documentNumber,
    entry.documentNumberCheckDigit,
  );
  const dateOfBirth = validateDateOfBirth(
    entry.dateOfBirth,
    now,
    entry.dateOfBirthCheckDigit,
  );
  const dateOfExpiry = validateDateOfExpiry(
    entry.dateOfExpiry,
    now,
    entry.dateOfExpiryCheckDigit,
  );
  const key = documentNumber.state === "valid" && dateOfBirth.state === "valid" &&
      dateOfExpiry.state === "valid"
    ? {
      kind: "mrz" as const,
      documentNumber: documentNumber.value,
      dateOfBirth: dateOfBirth.value,
      dateOfExpiry: dateOfExpiry.value,
    }
    : null;
  return { documentNumber, dateOfBirth, dateOfExpiry, key };
}
