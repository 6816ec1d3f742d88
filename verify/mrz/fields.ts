/**
 * Reading the raw fields and check-digit results of an MRZ, without judging them yet.
 * `parseMrz` (mrz.ts) turns this into a verdict; tests use it to compare every check digit.
 */
import { isCheckDigitValid } from "./check_digit.ts";
import { LAYOUTS, type MrzFormat, type MrzLayout, slice } from "./layout.ts";

/** Which check digits of an MRZ validate. */
export interface MrzCheckDigitResults {
  documentNumber: boolean;
  dateOfBirth: boolean;
  dateOfExpiry: boolean;
  /** TD3 only (the personal-number check digit). */
  optionalData?: boolean;
  composite: boolean;
}

/** The raw fields of an MRZ: fillers trimmed, names split, nothing validated. */
export interface MrzRawFields {
  format: MrzFormat;
  /** e.g. `P`, `I`, `ID` (trailing filler removed). */
  documentCode: string;
  /** As written, fillers removed (`D<<` → `D`). */
  issuingState: string;
  /** The full number: a long TD1/TD2 number is reassembled from the optional data. */
  documentNumber: string;
  /** True when the number continued into the optional data (check position held `<`). */
  longDocumentNumber: boolean;
  nationality: string;
  /** `YYMMDD` as written. */
  dateOfBirth: string;
  /** The sex character as written. */
  sex: string;
  /** `YYMMDD` as written. */
  dateOfExpiry: string;
  /** Family name(s), fillers turned into spaces. */
  primaryIdentifier: string;
  /** Given name(s), fillers turned into spaces. */
  secondaryIdentifier: string;
  /** Optional data (both TD1 fields joined), without the long-number overflow, trimmed of `<`. */
  optionalData: string;
  checkDigits: MrzCheckDigitResults;
}

/** Removes every leading and trailing filler. */
export function trimFillers(text: string): string {
  return text.replace(/^<+/, "").replace(/<+$/, "");
}

/** Splits the name field on the first `<<` and turns remaining fillers into single spaces. */
export function splitNames(field: string): { primary: string; secondary: string } {
  const separator = field.indexOf("<<");
  const primaryRaw = separator < 0 ? field : field.slice(0, separator);
  const secondaryRaw = separator < 0 ? "" : field.slice(separator + 2);
  const readable = (part: string) => part.replace(/</g, " ").replace(/\s+/g, " ").trim();
  return { primary: readable(primaryRaw), secondary: readable(secondaryRaw) };
}

interface DocumentNumberReading {
  number: string;
  long: boolean;
  checkValid: boolean;
  /** What is left of the first optional-data field once the overflow is removed. */
  optionalRest: string;
}

/**
 * ICAO Doc 9303 Part 5 §4.2.4 / Part 6: a number longer than 9 characters puts `<` in the check
 * position; its remaining characters and then its check digit open optional data field 1,
 * followed by a filler.
 */
function readDocumentNumber(mrz: string, layout: MrzLayout): DocumentNumberReading {
  const base = slice(mrz, layout.documentNumber);
  const checkChar = mrz[layout.documentNumberCheck];
  const optional = slice(mrz, layout.optionalData[0]);
  if (checkChar === "<" && layout.longDocumentNumber) {
    const run = /^[^<]+/.exec(optional)?.[0] ?? "";
    if (run.length < 2) {
      return { number: trimFillers(base), long: true, checkValid: false, optionalRest: optional };
    }
    const number = base + run.slice(0, -1);
    const checkValid = isCheckDigitValid(number, run.slice(-1));
    return { number, long: true, checkValid, optionalRest: optional.slice(run.length) };
  }
  const checkValid = isCheckDigitValid(base, checkChar);
  return { number: trimFillers(base), long: false, checkValid, optionalRest: optional };
}

function compositeValid(mrz: string, layout: MrzLayout): boolean {
  const covered = layout.composite.map((range) => slice(mrz, range)).join("");
  return isCheckDigitValid(covered, mrz[layout.compositeCheck]);
}

/** The layout for an MRZ of this length, or null (wrong length). */
export function layoutFor(mrz: string): MrzLayout | null {
  return LAYOUTS.get(mrz.length) ?? null;
}

/** Reads every raw field and check digit of a concatenated MRZ of a known layout. */
export function readMrzFields(mrz: string, layout: MrzLayout): MrzRawFields {
  const documentNumber = readDocumentNumber(mrz, layout);
  const optionalParts = [
    documentNumber.optionalRest,
    ...layout.optionalData.slice(1).map((r) => slice(mrz, r)),
  ];
  const names = splitNames(slice(mrz, layout.names));
  const checkDigits: MrzCheckDigitResults = {
    documentNumber: documentNumber.checkValid,
    dateOfBirth: isCheckDigitValid(slice(mrz, layout.dateOfBirth), mrz[layout.dateOfBirthCheck]),
    dateOfExpiry: isCheckDigitValid(
      slice(mrz, layout.dateOfExpiry),
      mrz[layout.dateOfExpiryCheck],
    ),
    composite: compositeValid(mrz, layout),
  };
  if (layout.optionalDataCheck !== undefined) {
    const field = slice(mrz, layout.optionalData[0]);
    checkDigits.optionalData = isCheckDigitValid(field, mrz[layout.optionalDataCheck], true);
  }
  return {
    format: layout.format,
    documentCode: trimFillers(slice(mrz, layout.documentCode)),
    issuingState: trimFillers(slice(mrz, layout.issuingState)),
    documentNumber: documentNumber.number,
    longDocumentNumber: documentNumber.long,
    nationality: trimFillers(slice(mrz, layout.nationality)),
    dateOfBirth: slice(mrz, layout.dateOfBirth),
    sex: mrz[layout.sex],
    dateOfExpiry: slice(mrz, layout.dateOfExpiry),
    primaryIdentifier: names.primary,
    secondaryIdentifier: names.secondary,
    optionalData: trimFillers(optionalParts.join("")),
    checkDigits,
  };
}
