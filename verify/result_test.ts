import assert from "node:assert/strict";
import {
  CHECK_ORDER,
  FAILURE_CODE_BY_CHECK,
  failureCodeOf,
  isPublicFailureCode,
  outcome,
  PUBLIC_FAILURE_CODES,
} from "./result.ts";

Deno.test("every check maps to a distinct public code of docs/document-checks.md", () => {
  const codes = CHECK_ORDER.map((check) => FAILURE_CODE_BY_CHECK[check]);
  assert.equal(new Set(codes).size, CHECK_ORDER.length);
  for (const code of codes) assert.ok(isPublicFailureCode(code));
  assert.equal(PUBLIC_FAILURE_CODES.length, 11);
  assert.ok(isPublicFailureCode("handoff_superseded"));
  assert.ok(!isPublicFailureCode("aa_signature_invalid"));
});

Deno.test("the first failure in SPEC order decides, whatever the listing order", () => {
  const outcomes = [
    outcome.failed("active_authentication", "aa_signature_invalid"),
    outcome.passed("mrz"),
    outcome.failed("document_validity", "document_expired"),
    outcome.skipped("chip_authentication", "not_offered"),
  ];
  assert.equal(failureCodeOf(outcomes), "document_expired");
  assert.equal(failureCodeOf([outcome.passed("mrz")]), undefined);
});
