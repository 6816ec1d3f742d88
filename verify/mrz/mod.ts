/**
 * MRZ and DG1: parsing, check digits, dates and names (ICAO Doc 9303 Parts 3–6 and 10).
 * @module
 */
export { computeCheckDigit, isCheckDigitValid, mrzCharValue } from "./check_digit.ts";
export {
  type CalendarDate,
  EXPIRY_WINDOW_YEARS,
  formatIsoDate,
  inferBirthDate,
  inferExpiryDate,
} from "./dates.ts";
export { parseDg1 } from "./dg1.ts";
export {
  layoutFor,
  type MrzCheckDigitResults,
  type MrzRawFields,
  readMrzFields,
  splitNames,
} from "./fields.ts";
export type { MrzFormat } from "./layout.ts";
export {
  type MrzFailureReason,
  type MrzParseResult,
  normaliseCountryCode,
  type ParsedMrz,
  parseMrz,
  type ParseMrzOptions,
  type SexMarker,
} from "./mrz.ts";
