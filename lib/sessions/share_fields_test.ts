import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  DEFAULT_CLAIM_KEY,
  MAX_REASON_LENGTH,
  normaliseReason,
  parseRedirectUrl,
  parseShareFields,
  requiredKeys,
  ShareFieldError,
} from "./share_fields.ts";

Deno.test("parseShareFields: omitted gives the default contract only", () => {
  assert.deepEqual(parseShareFields(undefined), {
    kayle_document_id: { required: true, reason: 'Sharing "Kayle Document ID"', source: "default" },
  });
  assert.deepEqual(Object.keys(parseShareFields({})), [DEFAULT_CLAIM_KEY]);
});

Deno.test("normaliseReason trims and collapses whitespace", () => {
  assert.equal(normaliseReason("  a \n\t b  c "), "a b c");
});

Deno.test("requiredKeys keeps canonical order", () => {
  const fields = parseShareFields({
    sex_marker: { required: false, reason: "r" },
    date_of_birth: { required: true, reason: "r" },
  });
  assert.deepEqual(requiredKeys(fields), ["date_of_birth", DEFAULT_CLAIM_KEY]);
});

Deno.test("parseRedirectUrl: https anywhere, http only on loopback in development", () => {
  assert.equal(parseRedirectUrl("https://a.example/x?y=1", false), "https://a.example/x?y=1");
  assert.equal(parseRedirectUrl("http://localhost:1/x", true), "http://localhost:1/x");
  assert.throws(() => parseRedirectUrl("http://localhost:1/x", false), ShareFieldError);
  assert.throws(() => parseRedirectUrl("http://10.0.0.1/x", true), ShareFieldError);
  assert.throws(() => parseRedirectUrl("ftp://a.example/", true), ShareFieldError);
});

const claimKey = fc.oneof(
  fc.constantFrom(
    "date_of_birth",
    "family_name",
    "given_names",
    "kayle_document_id",
    "kayle_human_id",
    "sex_marker",
  ),
  fc.integer({ min: 0, max: 200 }).map((n) => `age_over_${n}`),
  fc.string({ maxLength: 12 }),
);
const entry = fc.oneof(
  fc.record({ required: fc.boolean(), reason: fc.string({ maxLength: 230 }) }),
  fc.record({ required: fc.anything(), reason: fc.anything() }, { requiredKeys: [] }),
  fc.anything(),
);

Deno.test("parseShareFields property: valid output or a ShareFieldError, never anything else (10,000 cases)", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.dictionary(claimKey, entry, { maxKeys: 40 }), fc.anything()),
      (input) => {
        let fields;
        try {
          fields = parseShareFields(input);
        } catch (error) {
          assert.ok(error instanceof ShareFieldError, String(error));
          return;
        }
        assert.equal(fields[DEFAULT_CLAIM_KEY]?.required, true);
        const keys = Object.keys(fields);
        assert.ok(keys.length <= 33);
        assert.ok(keys.filter((k) => k.startsWith("age_over_")).length <= 1);
        for (const field of Object.values(fields)) {
          assert.equal(typeof field.required, "boolean");
          assert.ok(field.reason.length >= 1 && [...field.reason].length <= MAX_REASON_LENGTH);
          assert.equal(field.reason, normaliseReason(field.reason));
        }
      },
    ),
    { numRuns: 10_000 },
  );
});
