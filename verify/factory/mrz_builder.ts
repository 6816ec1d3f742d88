/**
 * Builds machine-readable zones (TD3 passports, TD1 cards) with correct check digits (ICAO 9303
 * p3 §4.9) and wraps them into DG1. Used only to make synthetic documents.
 */
import { encodeTlv } from "../chip/der.ts";

/** The MRZ fields of a synthetic document. Dates are `YYYY-MM-DD`. */
export interface MrzFields {
  /** `P` for passports (TD3), `ID`/`I` for cards (TD1). */
  documentCode: string;
  issuingState: string;
  primaryIdentifier: string;
  secondaryIdentifier: string;
  /** At most 9 characters (the long-number rule is not generated). */
  documentNumber: string;
  nationality: string;
  dateOfBirth: string;
  sex: "M" | "F" | "X";
  dateOfExpiry: string;
  optionalData: string;
}

const WEIGHTS = [7, 3, 1];

/** The ICAO 9303 check digit of a field. */
export function checkDigit(field: string): string {
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    const value = c === "<" ? 0 : /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += value * WEIGHTS[i % 3];
  }
  return String(sum % 10);
}

/** Upper-cases, maps spaces and punctuation to `<`, and pads/truncates to `length`. */
function field(value: string, length: number): string {
  const cleaned = value.toUpperCase().replace(/[^A-Z0-9<]/g, "<");
  return cleaned.padEnd(length, "<").slice(0, length);
}

/** `YYYY-MM-DD` → `YYMMDD`. */
export function mrzDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) throw new Error("mrz_date_invalid");
  return match[1].slice(2) + match[2] + match[3];
}

function names(fields: MrzFields, length: number): string {
  return field(`${fields.primaryIdentifier}<<${fields.secondaryIdentifier}`, length);
}

function sexCode(sex: MrzFields["sex"]): string {
  return sex === "X" ? "<" : sex;
}

/** A TD3 MRZ (2 × 44 characters, no line break). `breakCheckDigit` corrupts the number's digit. */
export function buildTd3(fields: MrzFields, breakCheckDigit = false): string {
  const line1 = field(fields.documentCode, 2) + field(fields.issuingState, 3) + names(fields, 39);
  const number = field(fields.documentNumber, 9);
  const numberCd = breakCheckDigit ? wrongDigit(checkDigit(number)) : checkDigit(number);
  const dob = mrzDate(fields.dateOfBirth);
  const expiry = mrzDate(fields.dateOfExpiry);
  const optional = field(fields.optionalData, 14);
  const optionalCd = /^<+$/.test(optional) ? "<" : checkDigit(optional);
  const composite = checkDigit(
    number + numberCd + dob + checkDigit(dob) + expiry + checkDigit(expiry) + optional + optionalCd,
  );
  const line2 = number + numberCd + field(fields.nationality, 3) + dob + checkDigit(dob) +
    sexCode(fields.sex) + expiry + checkDigit(expiry) + optional + optionalCd + composite;
  return line1 + line2;
}

/** A TD1 MRZ (3 × 30 characters, no line breaks). */
export function buildTd1(fields: MrzFields, breakCheckDigit = false): string {
  const number = field(fields.documentNumber, 9);
  const numberCd = breakCheckDigit ? wrongDigit(checkDigit(number)) : checkDigit(number);
  const optional1 = field(fields.optionalData, 15);
  const line1 = field(fields.documentCode, 2) + field(fields.issuingState, 3) + number + numberCd +
    optional1;
  const dob = mrzDate(fields.dateOfBirth);
  const expiry = mrzDate(fields.dateOfExpiry);
  const optional2 = field("", 11);
  const composite = checkDigit(
    line1.slice(5) + dob + checkDigit(dob) + expiry + checkDigit(expiry) + optional2,
  );
  const line2 = dob + checkDigit(dob) + sexCode(fields.sex) + expiry + checkDigit(expiry) +
    field(fields.nationality, 3) + optional2 + composite;
  return line1 + line2 + names(fields, 30);
}

function wrongDigit(digit: string): string {
  return String((Number(digit) + 1) % 10);
}

/** Wraps an MRZ into DG1: 61 { 5F1F mrz }. */
export function encodeDg1(mrz: string): Uint8Array {
  return encodeTlv(0x61, encodeTlv(0x5f1f, new TextEncoder().encode(mrz)));
}
