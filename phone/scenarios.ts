/**
 * The reference phone's scenarios (docs/api.md#test-and-live): each one plays a synthetic passport from the
 * document factory, broken in exactly one way, so every public failure code can be reached
 * through the real checks. `expected` is what the server must answer, for tests and the CLI.
 */
import type { SyntheticPassportOptions } from "../verify/mod.ts";

/** How the phone behaves beyond the passport it plays. */
export interface Scenario {
  name: string;
  description: string;
  /** Switches of the synthetic passport. */
  passport: SyntheticPassportOptions;
  /** Whose face the selfie frames show. */
  selfiePerson: "collins" | "hopper";
  /** Frames that ignore the pose challenge (a still photo). */
  staticSelfie: boolean;
  /** The user's final confirmation on the phone. */
  consentConfirmed: boolean;
  /** The attempt's expected failure code, or null for success. */
  expected: string | null;
}

const base = {
  passport: {},
  selfiePerson: "collins",
  staticSelfie: false,
  consentConfirmed: true,
} as const;

/** Every scenario by name. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.fromEntries(
  ([
    { name: "success", description: "A genuine passport and its holder.", expected: null },
    {
      name: "bad_mrz",
      description: "A DG1 whose document-number check digit is wrong (still signed).",
      passport: { badMrzCheckDigit: true },
      expected: "document_data_invalid",
    },
    {
      name: "tampered_sod",
      description: "EF.SOD changed after signing.",
      passport: { tamperSod: true },
      expected: "document_authenticity_failed",
    },
    {
      name: "tampered_data_group",
      description: "DG2 changed after the SOD hashed it.",
      passport: { tamperDataGroup: true },
      expected: "document_authenticity_failed",
    },
    {
      name: "untrusted_issuer",
      description: "Signed by a CSCA test mode does not trust.",
      passport: { csca: "generated" },
      expected: "document_authenticity_failed",
    },
    {
      name: "expired_document",
      description: "A passport past its expiry date.",
      passport: { expired: true },
      expected: "document_expired",
    },
    {
      name: "wrong_aa_signature",
      description: "The chip signs the AA challenge with a key other than DG15's.",
      passport: { wrongAaKey: true },
      expected: "document_active_authentication_failed",
    },
    {
      name: "failed_chip_authentication",
      description: "A cloned chip: same DG14, another private key.",
      passport: { failChipAuth: true },
      expected: "document_chip_authentication_failed",
    },
    {
      name: "another_face",
      description: "The selfie shows another person.",
      selfiePerson: "hopper",
      expected: "selfie_face_mismatch",
    },
    {
      name: "failed_liveness",
      description: "A still photo held up to the camera: every frame shows the same pose.",
      staticSelfie: true,
      expected: "liveness_failed",
    },
    {
      name: "declined_consent",
      description: "The user declines to share the claims on the phone's final screen.",
      consentConfirmed: false,
      expected: "consent_declined",
    },
  ] as Array<Partial<Scenario> & Pick<Scenario, "name" | "description" | "expected">>).map((s) => [
    s.name,
    { ...base, ...s } as Scenario,
  ]),
);

/** Scenario names, success first. */
export const SCENARIO_NAMES: readonly string[] = Object.keys(SCENARIOS);

/** The scenario of a name; throws a TypeError listing the names when unknown. */
export function scenarioByName(name: string): Scenario {
  const scenario = SCENARIOS[name];
  if (!scenario) {
    throw new TypeError(`Unknown scenario "${name}"; known: ${SCENARIO_NAMES.join(", ")}.`);
  }
  return scenario;
}
