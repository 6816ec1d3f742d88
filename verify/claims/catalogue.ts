/**
 * The claim catalogue of docs/api.md#share-fields as data: the keys an integrator may request in
 * `share_fields`, the labels the consent screen shows, and the age-gate key syntax.
 */

/** One claim the platform can share. */
export interface ClaimDefinition {
  /** The `share_fields` key; `age_over_N` stands for the age-gate family. */
  key: string;
  /** `fixed` keys are used as written; `age_gate` is the `age_over_N` family. */
  kind: "fixed" | "age_gate";
  /** Short label for the consent screen, e.g. "Age over 18" once N is known. */
  label: string;
  /** One sentence for the consent screen and the API reference. */
  description: string;
  /** Where the value comes from. */
  source: "DG1" | "derived";
  valueType: "string" | "boolean";
}

/** Every claim, in canonical order (the order consent screens and payloads list them). */
export const CLAIM_CATALOGUE: readonly ClaimDefinition[] = [
  fixed(
    "kayle_document_id",
    "Kayle Document ID",
    "derived",
    "string",
    "A stable identifier of this document for your organization only; it reveals no document data.",
  ),
  fixed(
    "kayle_human_id",
    "Kayle Human ID",
    "derived",
    "string",
    "A stable identifier of this person for your organization only, the same across renewed documents.",
  ),
  fixed(
    "document_type_code",
    "Document type",
    "DG1",
    "string",
    "The document type code from the machine-readable zone, e.g. P for a passport.",
  ),
  fixed(
    "issuing_country_code",
    "Issuing country",
    "DG1",
    "string",
    "The three-letter ICAO code of the country or organization that issued the document.",
  ),
  fixed(
    "family_name",
    "Family name",
    "DG1",
    "string",
    "The family name as written in the machine-readable zone.",
  ),
  fixed(
    "given_names",
    "Given names",
    "DG1",
    "string",
    "The given names as written in the machine-readable zone.",
  ),
  fixed("document_number", "Document number", "DG1", "string", "The full document number."),
  fixed(
    "nationality_code",
    "Nationality",
    "DG1",
    "string",
    "The three-letter ICAO code of the holder's nationality.",
  ),
  fixed("date_of_birth", "Date of birth", "DG1", "string", "The date of birth (YYYY-MM-DD)."),
  fixed("sex_marker", "Sex", "DG1", "string", "The sex marker of the document: M, F or X."),
  fixed(
    "document_expiry_date",
    "Document expiry date",
    "DG1",
    "string",
    "The date the document expires (YYYY-MM-DD).",
  ),
  fixed(
    "mrz_optional_data",
    "MRZ optional data",
    "DG1",
    "string",
    "The optional data of the machine-readable zone (often a personal number).",
  ),
  {
    key: "age_over_N",
    kind: "age_gate",
    label: "Age over N",
    description:
      "Whether the holder is at least N years old at the time of verification; no date is shared.",
    source: "DG1",
    valueType: "boolean",
  },
];

function fixed(
  key: string,
  label: string,
  source: ClaimDefinition["source"],
  valueType: ClaimDefinition["valueType"],
  description: string,
): ClaimDefinition {
  return { key, kind: "fixed", label, description, source, valueType };
}

/** Smallest and largest N accepted in `age_over_N` (docs/api.md#share-fields). */
export const AGE_GATE_MIN = 12;
/** Largest N accepted in `age_over_N`. */
export const AGE_GATE_MAX = 130;

const AGE_GATE_PREFIX = "age_over_";
const FIXED_KEYS = new Map(
  CLAIM_CATALOGUE.filter((claim) => claim.kind === "fixed").map((claim) => [claim.key, claim]),
);
const AGE_GATE_DEFINITION = CLAIM_CATALOGUE.find((claim) => claim.kind === "age_gate")!;

/** What a key says about age gates: not one, a malformed one, or a valid one with its N. */
export type AgeGateParse =
  | { kind: "not_age_gate" }
  | { kind: "invalid_age_gate" }
  | { kind: "age_gate"; age: number };

/**
 * Reads an `age_over_N` key. N must be written canonically (no sign, no leading zero, no
 * decimals) and lie in 12..130; `age_over_abc`, `age_over_018` or `age_over_5` are
 * `invalid_age_gate` (→ `INVALID_AGE_GATE_KEY`), any other key `not_age_gate`.
 */
export function parseAgeGateKey(key: string): AgeGateParse {
  if (!key.startsWith(AGE_GATE_PREFIX)) return { kind: "not_age_gate" };
  const digits = key.slice(AGE_GATE_PREFIX.length);
  if (!/^[1-9][0-9]*$/.test(digits)) return { kind: "invalid_age_gate" };
  const age = Number(digits);
  if (age < AGE_GATE_MIN || age > AGE_GATE_MAX) return { kind: "invalid_age_gate" };
  return { kind: "age_gate", age };
}

/** True for every fixed catalogue key and every valid `age_over_N`. */
export function isKnownClaimKey(key: string): boolean {
  return FIXED_KEYS.has(key) || parseAgeGateKey(key).kind === "age_gate";
}

/** The definition behind a key (the age-gate family for `age_over_N`), or undefined. */
export function claimDefinition(key: string): ClaimDefinition | undefined {
  if (FIXED_KEYS.has(key)) return FIXED_KEYS.get(key);
  return parseAgeGateKey(key).kind === "age_gate" ? AGE_GATE_DEFINITION : undefined;
}

/** The consent-screen label of a key ("Age over 18", "Kayle Document ID"), or undefined. */
export function claimLabel(key: string): string | undefined {
  const gate = parseAgeGateKey(key);
  if (gate.kind === "age_gate") return `Age over ${gate.age}`;
  return FIXED_KEYS.get(key)?.label;
}

/** The consent-screen description of a key, with N filled in for age gates, or undefined. */
export function claimDescription(key: string): string | undefined {
  const gate = parseAgeGateKey(key);
  if (gate.kind === "age_gate") {
    return AGE_GATE_DEFINITION.description.replace(/\bN\b/, String(gate.age));
  }
  return FIXED_KEYS.get(key)?.description;
}

/** Sorts known keys into catalogue order (unknown keys last, in their given order). */
export function sortClaimKeys(keys: readonly string[]): string[] {
  const position = (key: string) => {
    const definition = claimDefinition(key);
    return definition ? CLAIM_CATALOGUE.indexOf(definition) : CLAIM_CATALOGUE.length;
  };
  return [...keys].map((key, index) => ({ key, index }))
    .sort((a, b) => position(a.key) - position(b.key) || a.index - b.index)
    .map((entry) => entry.key);
}
