import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { readVector } from "../vectors_test_support.ts";
import { parseDg1 } from "./dg1.ts";
import type { MrzFailureReason } from "./mrz.ts";

const AT = new Date("2026-01-15T00:00:00Z");
const TD3 =
  "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";

function wrapDg1(mrz: string): Uint8Array {
  const text = new TextEncoder().encode(mrz);
  return new Uint8Array([0x61, text.length + 3, 0x5f, 0x1f, text.length, ...text]);
}

const REASONS: ReadonlySet<MrzFailureReason> = new Set([
  "dg1_malformed",
  "dg1_wrong_tag",
  "dg1_mrz_missing",
  "mrz_length",
  "mrz_check_digit_document_number",
  "mrz_check_digit_date_of_birth",
  "mrz_check_digit_date_of_expiry",
  "mrz_check_digit_optional_data",
  "mrz_check_digit_composite",
  "mrz_charset",
  "mrz_document_code_invalid",
  "mrz_issuing_state_invalid",
  "mrz_nationality_invalid",
  "mrz_date_of_birth_invalid",
  "mrz_date_of_expiry_invalid",
  "mrz_sex_invalid",
  "mrz_name_missing",
]);

Deno.test({
  name: "DG1 of the BSI, ETSI and BDR specimens parses (TD3, D<< normalised)",
  fn() {
    for (const set of ["bsi-tr03105-5", "etsi-eacaa", "bdr-test-2008"]) {
      const result = parseDg1(readVector(`${set}/DG1.bin`), AT);
      assert.ok(result.ok, set);
      assert.equal(result.mrz.format, "TD3");
      assert.equal(result.mrz.issuingCountryCode, "DEU");
      assert.equal(result.mrz.documentNumber, "C11T002JM");
    }
  },
});

Deno.test("parseDg1 reasons for the wrapper: wrong tag, missing 5F1F, truncated", () => {
  const good = wrapDg1(TD3);
  assert.ok(parseDg1(good, AT).ok);
  const wrongTag = good.slice();
  wrongTag[0] = 0x62;
  assert.equal(reasonOf(wrongTag), "dg1_wrong_tag");
  const otherChild = good.slice();
  otherChild[3] = 0x1e;
  assert.equal(reasonOf(otherChild), "dg1_mrz_missing");
  assert.equal(reasonOf(good.subarray(0, 40)), "dg1_malformed");
  assert.equal(reasonOf(new Uint8Array()), "dg1_malformed");
});

function reasonOf(bytes: Uint8Array): string {
  const result = parseDg1(bytes, AT);
  return result.ok ? "ok" : result.reason;
}

Deno.test("property: random bytes never throw and always give a typed failure", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      const result = parseDg1(bytes, AT);
      return result.ok || REASONS.has(result.reason);
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("property: mutated DG1 bytes never throw; a truncated DG1 never parses", () => {
  const good = wrapDg1(TD3);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: good.length - 1 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: good.length }),
      (index, value, cut) => {
        const mutated = good.slice(0, Math.max(cut, index + 1));
        mutated[index] = value;
        const result = parseDg1(mutated, AT);
        if (!result.ok) return REASONS.has(result.reason);
        // A byte change may land in an unchecked field (names, sex) and still parse; a cut never.
        return mutated.length === good.length;
      },
    ),
    { numRuns: 5_000 },
  );
});

Deno.test("property: random MRZ-alphabet strings of MRZ lengths give typed results", () => {
  const alphabet = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<");
  fc.assert(
    fc.property(
      fc.constantFrom(90, 72, 88),
      fc.array(alphabet, { minLength: 88, maxLength: 90 }),
      (length, chars) => {
        const result = parseDg1(wrapDg1(chars.join("").slice(0, length).padEnd(length, "<")), AT);
        return result.ok || REASONS.has(result.reason);
      },
    ),
    { numRuns: 2_000 },
  );
});
