import assert from "node:assert/strict";
import { failureMessage, VERIFY_COPY_EN, verifyCopyFor } from "./verify_copy.ts";
import { PUBLIC_FAILURE_CODES } from "../../verify/result.ts";

Deno.test("verify copy: a distinct plain-language message for every public failure code", () => {
  const messages = PUBLIC_FAILURE_CODES.map((code) => failureMessage(VERIFY_COPY_EN, code));
  for (const [i, message] of messages.entries()) {
    assert.ok(message.length > 20, `${PUBLIC_FAILURE_CODES[i]} has a sentence`);
    assert.doesNotMatch(message, /_/, `${PUBLIC_FAILURE_CODES[i]}: no code names in user text`);
    assert.notEqual(message, VERIFY_COPY_EN.unknownFailure);
  }
  assert.equal(new Set(messages).size, messages.length, "no two codes share a message");
  assert.deepEqual(
    Object.keys(VERIFY_COPY_EN.failureCodes).sort(),
    [...PUBLIC_FAILURE_CODES].sort(),
  );
});

Deno.test("verify copy: unknown or missing codes get the generic message", () => {
  assert.equal(failureMessage(VERIFY_COPY_EN, "not_a_code"), VERIFY_COPY_EN.unknownFailure);
  assert.equal(failureMessage(VERIFY_COPY_EN, null), VERIFY_COPY_EN.unknownFailure);
  assert.equal(
    failureMessage(VERIFY_COPY_EN, "toString"),
    VERIFY_COPY_EN.unknownFailure,
    "own keys only",
  );
});

Deno.test("verify copy: counted strings agree in number; English is the fallback", () => {
  assert.equal(VERIFY_COPY_EN.status.attemptsRemaining(1), "You can try again: 1 attempt left.");
  assert.equal(VERIFY_COPY_EN.status.attemptsRemaining(2), "You can try again: 2 attempts left.");
  assert.equal(VERIFY_COPY_EN.status.attemptsRemaining(0), "No attempts left.");
  assert.equal(VERIFY_COPY_EN.finish.redirectingIn(1), "Taking you back in 1 second…");
  assert.equal(VERIFY_COPY_EN.finish.redirectingIn(5), "Taking you back in 5 seconds…");
  assert.equal(VERIFY_COPY_EN.consent.heading("Acme"), "Acme asks to verify your identity");
  assert.equal(verifyCopyFor("fr"), VERIFY_COPY_EN);
});
