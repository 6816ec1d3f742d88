import assert from "node:assert/strict";
import { readVectorJson } from "../vectors_test_support.ts";
import { computeCheckDigit } from "./check_digit.ts";
import { layoutFor, readMrzFields } from "./fields.ts";
import { parseMrz } from "./mrz.ts";

interface MrzVector {
  source: string;
  mrz: string;
  format: string;
  expected_all_check_digits_valid: boolean;
  expected_valid: boolean;
  fields: Record<string, string>;
  check_digit_results: Record<string, boolean>;
}

const AT = new Date("2026-01-15T12:00:00Z");

function loadVectors(): MrzVector[] {
  return readVectorJson<{ vectors: MrzVector[] }>("mrz/mrz_vectors.json").vectors;
}

Deno.test({
  name: "mrz vectors: format, raw fields and every check digit as stated",
  fn() {
    for (const vector of loadVectors()) {
      const layout = layoutFor(vector.mrz);
      assert.ok(layout, vector.source);
      assert.equal(layout.format, vector.format, vector.source);
      const fields = readMrzFields(vector.mrz, layout);
      assert.deepEqual(
        {
          document_code: fields.documentCode,
          issuing_state: fields.issuingState,
          document_number: fields.documentNumber,
          nationality: fields.nationality,
          date_of_birth: fields.dateOfBirth,
          sex: fields.sex,
          date_of_expiry: fields.dateOfExpiry,
          primary_identifier: fields.primaryIdentifier,
          secondary_identifier: fields.secondaryIdentifier,
        },
        vector.fields,
        vector.source,
      );
      const results = vector.check_digit_results;
      assert.equal(fields.checkDigits.documentNumber, results.doc_number, vector.source);
      assert.equal(fields.checkDigits.dateOfBirth, results.dob, vector.source);
      assert.equal(fields.checkDigits.dateOfExpiry, results.doe, vector.source);
      assert.equal(fields.checkDigits.optionalData, results.optional, vector.source);
      assert.equal(fields.checkDigits.composite, results.composite, vector.source);
      const allValid = Object.values(fields.checkDigits).every((valid) => valid);
      assert.equal(allValid, vector.expected_all_check_digits_valid, vector.source);
    }
  },
});

Deno.test({
  name: "mrz vectors: the strict verdict matches expected_valid, with the right reason",
  fn() {
    const reasons: string[] = [];
    for (const vector of loadVectors()) {
      const result = parseMrz(vector.mrz, { at: AT });
      assert.equal(result.ok, vector.expected_valid, vector.source);
      if (!result.ok) reasons.push(result.reason);
    }
    assert.deepEqual(reasons, [
      "mrz_check_digit_composite", // NLD Part 10 example
      "mrz_check_digit_composite", // 'z' as composite digit
      "mrz_check_digit_document_number", // 6 -> 7
      "mrz_date_of_birth_invalid", // 74A812
    ]);
  },
});

Deno.test({
  name: "mrz vectors: the NLD composite digit equals the value computed without optional data 1",
  fn() {
    const nld = loadVectors().find((vector) => vector.mrz.startsWith("I<NLD"));
    assert.ok(nld);
    const [line1, line2] = [nld.mrz.slice(0, 30), nld.mrz.slice(30, 60)];
    const part5 = line1.slice(5, 30) + line2.slice(0, 7) + line2.slice(8, 15) + line2.slice(18, 29);
    const withoutOptional1 = line1.slice(5, 15) + line2.slice(0, 7) + line2.slice(8, 15) +
      line2.slice(18, 29);
    assert.equal(computeCheckDigit(part5), 8);
    assert.equal(computeCheckDigit(withoutOptional1), Number(line2[29]));
  },
});

const TD3_SPECIMEN =
  "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1_LONG =
  "I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2STEVENSON<<PETER<JOHN<<<<<<<<<";
const BSI_TD3 =
  "P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<C11T002JM4D<<9608122F2310314<<<<<<<<<<<<<<<4";

Deno.test("parseMrz gives typed, normalised fields for a TD3 passport", () => {
  const result = parseMrz(TD3_SPECIMEN, { at: AT });
  assert.ok(result.ok);
  assert.deepEqual(result.mrz, {
    format: "TD3",
    documentCode: "P",
    issuingCountryCode: "UTO",
    documentNumber: "L898902C3",
    nationalityCode: "UTO",
    dateOfBirth: "1974-08-12",
    sex: "F",
    dateOfExpiry: "2012-04-15",
    primaryIdentifier: "ERIKSSON",
    secondaryIdentifier: "ANNA MARIA",
    optionalData: "ZE184226B",
  });
});

Deno.test("parseMrz reassembles a long TD1 document number and normalises D to DEU", () => {
  const long = parseMrz(TD1_LONG, { at: AT });
  assert.ok(long.ok);
  assert.equal(long.mrz.documentNumber, "D23145890734");
  assert.equal(long.mrz.optionalData, "");
  assert.equal(long.mrz.dateOfBirth, "1934-07-12");
  assert.equal(long.mrz.dateOfExpiry, "1995-07-12");
  const german = parseMrz(BSI_TD3, { at: AT });
  assert.ok(german.ok);
  assert.equal(german.mrz.issuingCountryCode, "DEU");
  assert.equal(german.mrz.nationalityCode, "DEU");
  assert.equal(german.mrz.dateOfExpiry, "2023-10-31");
});

Deno.test("parseMrz accepts line breaks and maps the < sex marker to X", () => {
  const unspecified = TD3_SPECIMEN.slice(0, 64) + "<" + TD3_SPECIMEN.slice(65);
  const lines = unspecified.slice(0, 44) + "\n" + unspecified.slice(44);
  const result = parseMrz(lines, { at: AT });
  assert.ok(result.ok);
  assert.equal(result.mrz.sex, "X");
});

Deno.test("parseMrz reasons: length, charset, sex, expiry date, optional data check digit", () => {
  const reasonOf = (mrz: string) => {
    const result = parseMrz(mrz, { at: AT });
    return result.ok ? "ok" : result.reason;
  };
  assert.equal(reasonOf(TD3_SPECIMEN.slice(1)), "mrz_length");
  assert.equal(reasonOf(TD3_SPECIMEN.replace("ERIKSSON", "ERIKSSoN")), "mrz_charset");
  assert.equal(
    reasonOf(TD3_SPECIMEN.slice(0, 64) + "Q" + TD3_SPECIMEN.slice(65)),
    "mrz_sex_invalid",
  );
  // 31 April does not exist; its check digit is recomputed so only the date rule fails.
  const badExpiry = TD3_SPECIMEN.replace("1204159", `120431${computeCheckDigit("120431")}`);
  assert.equal(reasonOf(fixComposite(badExpiry)), "mrz_date_of_expiry_invalid");
  const badOptional = TD3_SPECIMEN.slice(0, 86) + "2" + TD3_SPECIMEN.slice(87);
  assert.equal(reasonOf(badOptional), "mrz_check_digit_optional_data");
});

function fixComposite(td3: string): string {
  const line2 = td3.slice(44);
  const covered = line2.slice(0, 10) + line2.slice(13, 20) + line2.slice(21, 43);
  return td3.slice(0, 87) + String(computeCheckDigit(covered));
}
