import assert from "node:assert/strict";
import {
  CLAIM_CATALOGUE,
  claimDescription,
  claimLabel,
  isKnownClaimKey,
  parseAgeGateKey,
  sortClaimKeys,
} from "./catalogue.ts";

Deno.test("the catalogue holds every docs/api.md#share-fields key once", () => {
  const keys = CLAIM_CATALOGUE.map((claim) => claim.key);
  assert.deepEqual(new Set(keys).size, keys.length);
  for (
    const key of [
      "document_type_code",
      "issuing_country_code",
      "family_name",
      "given_names",
      "document_number",
      "nationality_code",
      "date_of_birth",
      "sex_marker",
      "document_expiry_date",
      "mrz_optional_data",
      "age_over_N",
      "kayle_document_id",
      "kayle_human_id",
    ]
  ) assert.ok(keys.includes(key), key);
  assert.equal(keys.length, 13);
});

Deno.test("age gate keys: N is a canonical integer in 12..130", () => {
  assert.deepEqual(parseAgeGateKey("age_over_18"), { kind: "age_gate", age: 18 });
  assert.deepEqual(parseAgeGateKey("age_over_12"), { kind: "age_gate", age: 12 });
  assert.deepEqual(parseAgeGateKey("age_over_130"), { kind: "age_gate", age: 130 });
  for (
    const key of [
      "age_over_11",
      "age_over_131",
      "age_over_018",
      "age_over_18.0",
      "age_over_",
      "age_over_-18",
      "age_over_N",
    ]
  ) {
    assert.deepEqual(parseAgeGateKey(key), { kind: "invalid_age_gate" }, key);
  }
  assert.deepEqual(parseAgeGateKey("family_name"), { kind: "not_age_gate" });
  assert.deepEqual(parseAgeGateKey("age_under_18"), { kind: "not_age_gate" });
});

Deno.test("known keys, labels and descriptions", () => {
  assert.ok(isKnownClaimKey("kayle_document_id"));
  assert.ok(isKnownClaimKey("age_over_21"));
  assert.ok(!isKnownClaimKey("age_over_N"));
  assert.ok(!isKnownClaimKey("age_over_5"));
  assert.ok(!isKnownClaimKey("email"));
  assert.ok(!isKnownClaimKey("__proto__"));
  assert.equal(claimLabel("age_over_18"), "Age over 18");
  assert.equal(claimLabel("kayle_document_id"), "Kayle Document ID");
  assert.equal(claimLabel("email"), undefined);
  assert.match(claimDescription("age_over_21") ?? "", /at least 21 years old/);
});

Deno.test("keys sort into catalogue order, age gate in its place", () => {
  assert.deepEqual(
    sortClaimKeys(["age_over_18", "family_name", "kayle_document_id", "date_of_birth"]),
    ["kayle_document_id", "family_name", "date_of_birth", "age_over_18"],
  );
});
