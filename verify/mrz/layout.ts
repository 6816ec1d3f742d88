/**
 * Field positions of the three machine-readable-zone formats (ICAO Doc 9303 Parts 4–6), on the
 * lines concatenated as DG1 stores them. Each range is `[start, end)`.
 */

/** The three MRZ formats: TD1 (3×30, ID cards), TD2 (2×36), TD3 (2×44, passports). */
export type MrzFormat = "TD1" | "TD2" | "TD3";

/** A half-open character range of the concatenated MRZ. */
export type Range = readonly [number, number];

/** Where every field of one format lies. */
export interface MrzLayout {
  format: MrzFormat;
  lineLength: number;
  lineCount: number;
  documentCode: Range;
  issuingState: Range;
  documentNumber: Range;
  documentNumberCheck: number;
  nationality: Range;
  dateOfBirth: Range;
  dateOfBirthCheck: number;
  sex: number;
  dateOfExpiry: Range;
  dateOfExpiryCheck: number;
  names: Range;
  /** TD1 has two optional-data fields; TD2/TD3 have one. */
  optionalData: readonly Range[];
  /** TD3 only: the personal-number (optional data) check digit. */
  optionalDataCheck?: number;
  /** The ranges the composite check digit covers (Part 4/5/6 rule). */
  composite: readonly Range[];
  compositeCheck: number;
  /** Whether a document number longer than 9 characters may continue in optional data. */
  longDocumentNumber: boolean;
}

const TD1_LINE = 30;
const TD2_LINE = 36;
const TD3_LINE = 44;

const TD1: MrzLayout = {
  format: "TD1",
  lineLength: TD1_LINE,
  lineCount: 3,
  documentCode: [0, 2],
  issuingState: [2, 5],
  documentNumber: [5, 14],
  documentNumberCheck: 14,
  optionalData: [[15, 30], [TD1_LINE + 18, TD1_LINE + 29]],
  dateOfBirth: [TD1_LINE, TD1_LINE + 6],
  dateOfBirthCheck: TD1_LINE + 6,
  sex: TD1_LINE + 7,
  dateOfExpiry: [TD1_LINE + 8, TD1_LINE + 14],
  dateOfExpiryCheck: TD1_LINE + 14,
  nationality: [TD1_LINE + 15, TD1_LINE + 18],
  composite: [[5, 30], [TD1_LINE, TD1_LINE + 7], [TD1_LINE + 8, TD1_LINE + 15], [
    TD1_LINE + 18,
    TD1_LINE + 29,
  ]],
  compositeCheck: TD1_LINE + 29,
  names: [2 * TD1_LINE, 3 * TD1_LINE],
  longDocumentNumber: true,
};

/** TD2 and TD3 share one shape: names on line 1, the data on line 2. */
function twoLineLayout(format: "TD2" | "TD3", lineLength: number): MrzLayout {
  const l2 = lineLength;
  const optionalEnd = format === "TD3" ? l2 + 42 : l2 + 35;
  return {
    format,
    lineLength,
    lineCount: 2,
    documentCode: [0, 2],
    issuingState: [2, 5],
    names: [5, lineLength],
    documentNumber: [l2, l2 + 9],
    documentNumberCheck: l2 + 9,
    nationality: [l2 + 10, l2 + 13],
    dateOfBirth: [l2 + 13, l2 + 19],
    dateOfBirthCheck: l2 + 19,
    sex: l2 + 20,
    dateOfExpiry: [l2 + 21, l2 + 27],
    dateOfExpiryCheck: l2 + 27,
    optionalData: [[l2 + 28, optionalEnd]],
    optionalDataCheck: format === "TD3" ? l2 + 42 : undefined,
    composite: [[l2, l2 + 10], [l2 + 13, l2 + 20], [l2 + 21, format === "TD3" ? l2 + 43 : l2 + 35]],
    compositeCheck: format === "TD3" ? l2 + 43 : l2 + 35,
    longDocumentNumber: format === "TD2",
  };
}

/** The layouts by total MRZ length. */
export const LAYOUTS: ReadonlyMap<number, MrzLayout> = new Map([
  [3 * TD1_LINE, TD1],
  [2 * TD2_LINE, twoLineLayout("TD2", TD2_LINE)],
  [2 * TD3_LINE, twoLineLayout("TD3", TD3_LINE)],
]);

/** The characters of `mrz` in `range`. */
export function slice(mrz: string, range: Range): string {
  return mrz.slice(range[0], range[1]);
}
