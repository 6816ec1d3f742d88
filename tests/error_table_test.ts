/**
 * The one error table (`lib/http/error_table.ts`): a layer's coded error gets the same HTTP answer
 * whichever layer threw it, and the phone's connection gets the protocol code and close code from
 * the same row.
 */
import assert from "node:assert/strict";
import { answerOf, apiErrorOf, ERROR_TABLE, mobileErrorOf } from "../lib/http/error_table.ts";
import { SessionStateError } from "../lib/sessions/types.ts";
import { HandoffError } from "../lib/handoff/handoff.ts";
import { CLOSE_CODES, HelloRefused } from "../lib/handoff/protocol.ts";
import { ShortLinkError } from "../lib/handoff/short_link.ts";
import { PasskeyError } from "../lib/accounts/passkeys.ts";
import { InvalidCursorError } from "../lib/sessions/sessions.ts";

Deno.test("an ended session is 410 SESSION_EXPIRED with one hint, from either layer", () => {
  const fromSessions = apiErrorOf(new SessionStateError("session_terminal", "internal detail"))!;
  const fromHandoff = apiErrorOf(new HandoffError("SESSION_EXPIRED", "The session is expired."))!;
  for (const error of [fromSessions, fromHandoff]) {
    assert.equal(error.status, 410);
    assert.equal(error.code, "SESSION_EXPIRED");
    assert.equal(error.options.hint, "Create a new session to verify again.");
  }
  assert.equal(fromSessions.message, "The session has ended.");
  assert.equal(fromHandoff.message, "The session is expired.");
});

Deno.test("codes keep their layer's message unless the table fixes one", () => {
  const cursor = apiErrorOf(new InvalidCursorError("vs_x"))!;
  assert.deepEqual([cursor.status, cursor.code], [400, "INVALID_REQUEST"]);
  assert.match(cursor.message, /starting_after vs_x/);
  const passkey = apiErrorOf(new PasskeyError("PASSKEY_UNKNOWN_CREDENTIAL", "Unknown passkey."))!;
  assert.deepEqual([passkey.status, passkey.code, passkey.message], [
    401,
    "PASSKEY_UNKNOWN_CREDENTIAL",
    "Unknown passkey.",
  ]);
  assert.equal(apiErrorOf(new Error("plain")), null);
});

Deno.test("the phone's connection maps errors from the same rows, each with a close code", () => {
  const mismatch = mobileErrorOf(new SessionStateError("device_mismatch", "another phone"))!;
  assert.equal(mismatch.code, "HANDOFF_DEVICE_MISMATCH");
  const missing = mobileErrorOf(new SessionStateError("session_not_found", "x"))!;
  assert.deepEqual([missing.code, missing.message], ["SESSION_NOT_FOUND", "No such session."]);
  const ended = mobileErrorOf(new SessionStateError("session_terminal", "x"))!;
  assert.equal(ended.code, "ATTEMPT_ENDED");
  const refused = mobileErrorOf(new HelloRefused("HANDOFF_TOKEN_CONSUMED", "in use"));
  assert.deepEqual(refused, { code: "HANDOFF_TOKEN_CONSUMED", message: "in use" });
  assert.equal(mobileErrorOf(new Error("internal")), null);
  for (const [code, answer] of Object.entries(ERROR_TABLE)) {
    if (answer.mobile) assert.ok(CLOSE_CODES[answer.mobile], `${code}: ${answer.mobile}`);
  }
  assert.equal(answerOf(new SessionStateError("contention", "x"))?.hint, "Retry the request.");
});

Deno.test("a short link's refusals are rows of the table, not statuses of the error", () => {
  const invalid = apiErrorOf(new ShortLinkError("HANDOFF_TOKEN_INVALID", "not a handoff"))!;
  assert.deepEqual([invalid.status, invalid.code], [404, "HANDOFF_TOKEN_INVALID"]);
  const expired = apiErrorOf(new ShortLinkError("HANDOFF_TOKEN_EXPIRED", "expired"))!;
  assert.deepEqual([expired.status, expired.code], [410, "HANDOFF_TOKEN_EXPIRED"]);
});

Deno.test("every operation documents a table code with the table's status", async () => {
  const { manifest } = await import("../manifest.gen.ts");
  const statusesOf = new Map<string, Set<number>>();
  for (const [key, answer] of Object.entries(ERROR_TABLE)) {
    const code = answer.code ?? key;
    statusesOf.set(code, (statusesOf.get(code) ?? new Set()).add(answer.status));
  }
  let checked = 0;
  for (const [file, mod] of Object.entries(manifest.routes)) {
    for (const [method, op] of Object.entries(mod.api ?? {})) {
      for (const error of op?.errors ?? []) {
        const statuses = statusesOf.get(error.code);
        if (!statuses) continue;
        checked++;
        assert.ok(statuses.has(error.status), `${method} ${file}: ${error.status} ${error.code}`);
      }
    }
  }
  assert.ok(checked > 10, `checked ${checked}`);
});
