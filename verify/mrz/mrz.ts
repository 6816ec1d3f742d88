/**
 * Parsing and validating a machine-readable zone (TD1, TD2, TD3) into typed fields, with a
 * distinct failure reason for every rule it checks.
 */
import { formatIsoDate, inferBirthDate, inferExpiryDate } from "./dates.ts";
import { layoutFor, type MrzRawFields, readMrzFields } from "./fields.ts";
import type { MrzFormat } from "./layout.ts";

/** Every reason an MRZ (or the DG1 around it) is rejected. */
export type MrzFailureReason =
  | "dg1_malformed"
  | "dg1_wrong_tag"
  | "dg1_mrz_missing"
  | "mrz_length"
  | "mrz_check_digit_document_number"
  | "mrz_check_digit_date_of_birth"
  | "mrz_check_digit_date_of_expiry"
  | "mrz_check_digit_optional_data"
  | "mrz_check_digit_composite"
  | "mrz_charset"
  | "mrz_document_code_invalid"
  | "mrz_issuing_state_invalid"
  | "mrz_nationality_invalid"
  | "mrz_date_of_birth_invalid"
  | "mrz_date_of_expiry_invalid"
  | "mrz_sex_invalid"
  | "mrz_name_missing";

/** The sex marker: `<` (unspecified) is reported as `X`. */
export type SexMarker = "M" | "F" | "X";

/** A validated MRZ. Holds personal data: never log it. */
export interface ParsedMrz {
  format: MrzFormat;
  /** e.g. `P`, `I`, `ID`. */
  documentCode: string;
  /** ICAO 3-letter code; `D` is normalised to `DEU`. */
  issuingCountryCode: string;
  /** Full number (long TD1/TD2 numbers reassembled). */
  documentNumber: string;
  /** ICAO 3-letter code; `D` is normalised to `DEU`. */
  nationalityCode: string;
  /** `YYYY-MM-DD`, century chosen so it is not after the verification date. */
  dateOfBirth: string;
  sex: SexMarker;
  /** `YYYY-MM-DD` (see `inferExpiryDate` for the century). */
  dateOfExpiry: string;
  primaryIdentifier: string;
  secondaryIdentifier: string;
  /** Raw optional data (both TD1 fields), fillers trimmed from both ends. */
  optionalData: string;
}

/** A parse outcome: the MRZ, or a typed failure whose detail never quotes MRZ content. */
export type MrzParseResult =
  | { ok: true; mrz: ParsedMrz }
  | { ok: false; reason: MrzFailureReason; detail: string };

/** Options for {@link parseMrz}. */
export interface ParseMrzOptions {
  /** The verification time: fixes the century of the dates. */
  at: Date;
}

/** ICAO Doc 9303 Part 3: Germany's code is the single letter `D`. */
export function normaliseCountryCode(code: string): string {
  return code === "D" ? "DEU" : code;
}

function fail(reason: MrzFailureReason, detail: string): MrzParseResult {
  return { ok: false, reason, detail };
}

const CHECK_DIGIT_ORDER = [
  ["documentNumber", "mrz_check_digit_document_number"],
  ["dateOfBirth", "mrz_check_digit_date_of_birth"],
  ["dateOfExpiry", "mrz_check_digit_date_of_expiry"],
  ["optionalData", "mrz_check_digit_optional_data"],
  ["composite", "mrz_check_digit_composite"],
] as const;

function firstCheckDigitFailure(fields: MrzRawFields): MrzParseResult | null {
  for (const [key, reason] of CHECK_DIGIT_ORDER) {
    if (fields.checkDigits[key] === false) {
      return fail(reason, `${fields.format} ${key} check digit does not validate`);
    }
  }
  return null;
}

function firstSyntaxFailure(mrz: string, fields: MrzRawFields): MrzParseResult | null {
  if (!/^[A-Z0-9<]+$/.test(mrz)) return fail("mrz_charset", "MRZ holds a non-MRZ character");
  if (!/^[A-Z][A-Z<]$/.test(mrz.slice(0, 2))) {
    return fail("mrz_document_code_invalid", "document code is not a letter");
  }
  if (!/^[A-Z]{1,3}$/.test(fields.issuingState)) {
    return fail("mrz_issuing_state_invalid", "issuing state is not 1-3 letters");
  }
  if (!/^[A-Z]{1,3}$/.test(fields.nationality)) {
    return fail("mrz_nationality_invalid", "nationality is not 1-3 letters");
  }
  if (!/^[MFX<]$/.test(fields.sex)) return fail("mrz_sex_invalid", "sex is not M, F, X or <");
  if (fields.primaryIdentifier === "") return fail("mrz_name_missing", "primary identifier empty");
  return null;
}

/**
 * Parses a concatenated MRZ (line breaks are ignored) and checks every check digit, then the
 * syntax of every field. The ICAO Part 5 composite rule is applied strictly, so the Part 10
 * NLD example whose composite digit omits optional data 1 is rejected.
 */
export function parseMrz(text: string, options: ParseMrzOptions): MrzParseResult {
  const mrz = text.replace(/[\r\n]/g, "");
  const layout = layoutFor(mrz);
  if (!layout) return fail("mrz_length", `MRZ length ${mrz.length} is not 90, 72 or 88`);
  const fields = readMrzFields(mrz, layout);
  const failure = firstCheckDigitFailure(fields) ?? firstSyntaxFailure(mrz, fields);
  if (failure) return failure;
  const birth = inferBirthDate(fields.dateOfBirth, options.at);
  if (!birth) return fail("mrz_date_of_birth_invalid", "date of birth is not a real date");
  const expiry = inferExpiryDate(fields.dateOfExpiry, options.at);
  if (!expiry) return fail("mrz_date_of_expiry_invalid", "date of expiry is not a real date");
  return {
    ok: true,
    mrz: {
      format: fields.format,
      documentCode: fields.documentCode,
      issuingCountryCode: normaliseCountryCode(fields.issuingState),
      documentNumber: fields.documentNumber,
      nationalityCode: normaliseCountryCode(fields.nationality),
      dateOfBirth: formatIsoDate(birth),
      sex: fields.sex === "<" ? "X" : fields.sex as SexMarker,
      dateOfExpiry: formatIsoDate(expiry),
      primaryIdentifier: fields.primaryIdentifier,
      secondaryIdentifier: fields.secondaryIdentifier,
      optionalData: fields.optionalData,
    },
  };
}
