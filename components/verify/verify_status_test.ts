import assert from "node:assert/strict";
import {
  deviceKindOf,
  failureOf,
  handoffRefreshDelayMs,
  offersQrPairing,
  phaseOf,
  type PublicStatus,
  statusMessage,
} from "./verify_status.ts";
import { VERIFY_COPY_EN } from "../../lib/i18n/verify_copy.ts";

function status(overrides: Partial<PublicStatus>): PublicStatus {
  return {
    session_id: "vs_x",
    status: "created",
    is_terminal: false,
    same_device_only: false,
    attempts_remaining: 3,
    latest_attempt: null,
    redirect_url: null,
    ...overrides,
  };
}

const attempt = (s: string, failure_code: string | null = null) => ({
  id: "va_1",
  status: s,
  failure_code,
});

Deno.test("phaseOf: every phase the live status shows", () => {
  assert.equal(phaseOf(status({})), "waiting");
  assert.equal(
    phaseOf(status({ latest_attempt: attempt("in_progress") })),
    "waiting",
    "unclaimed handoff",
  );
  assert.equal(
    phaseOf(status({ latest_attempt: attempt("cancelled", "handoff_superseded") })),
    "waiting",
  );
  assert.equal(
    phaseOf(status({ status: "in_progress", latest_attempt: attempt("in_progress") })),
    "in_progress",
  );
  assert.equal(
    phaseOf(
      status({
        status: "in_progress",
        attempts_remaining: 2,
        latest_attempt: attempt("failed", "document_expired"),
      }),
    ),
    "retry",
  );
  const terminal = { is_terminal: true, attempts_remaining: 0 };
  assert.equal(
    phaseOf(status({ ...terminal, status: "completed", latest_attempt: attempt("succeeded") })),
    "success",
  );
  assert.equal(
    phaseOf(
      status({
        ...terminal,
        status: "completed",
        latest_attempt: attempt("failed", "liveness_failed"),
      }),
    ),
    "failure",
  );
  assert.equal(phaseOf(status({ ...terminal, status: "expired" })), "expired");
  assert.equal(phaseOf(status({ ...terminal, status: "cancelled" })), "cancelled");
});

Deno.test("statusMessage: failures speak plainly, with the attempts left", () => {
  const retry = statusMessage(
    VERIFY_COPY_EN,
    status({
      status: "in_progress",
      attempts_remaining: 1,
      latest_attempt: attempt("failed", "selfie_face_mismatch"),
    }),
  );
  assert.equal(retry.tone, "error");
  assert.ok(retry.headline.includes(VERIFY_COPY_EN.failureCodes.selfie_face_mismatch));
  assert.equal(retry.detail, "You can try again: 1 attempt left.");
  const failed = statusMessage(
    VERIFY_COPY_EN,
    status({
      status: "completed",
      is_terminal: true,
      latest_attempt: attempt("failed", "document_authenticity_failed"),
    }),
  );
  assert.equal(failed.detail, VERIFY_COPY_EN.failureCodes.document_authenticity_failed);
  const success = statusMessage(
    VERIFY_COPY_EN,
    status({ status: "completed", is_terminal: true, latest_attempt: attempt("succeeded") }),
  );
  assert.equal(success.tone, "success");
  assert.equal(success.headline, VERIFY_COPY_EN.status.success);
});

Deno.test("offersQrPairing: not once a phone is bound, nor after the end", () => {
  assert.ok(offersQrPairing(status({})));
  assert.ok(!offersQrPairing(status({ same_device_only: true })));
  assert.ok(!offersQrPairing(status({ status: "cancelled", is_terminal: true })));
});

Deno.test("deviceKindOf: phones and tablets get the deep-link button", () => {
  assert.equal(
    deviceKindOf("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"),
    "phone",
  );
  assert.equal(
    deviceKindOf("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"),
    "phone",
  );
  assert.equal(
    deviceKindOf("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36"),
    "desktop",
  );
  assert.equal(deviceKindOf(undefined), "desktop");
});

Deno.test("handoffRefreshDelayMs: 30 s before expiry, within 10 s .. 4.5 min", () => {
  const now = Date.parse("2026-06-01T12:00:00Z");
  assert.equal(handoffRefreshDelayMs("2026-06-01T12:05:00Z", now), 270_000);
  assert.equal(handoffRefreshDelayMs("2026-06-01T12:02:00Z", now), 90_000);
  assert.equal(handoffRefreshDelayMs("2026-06-01T12:00:20Z", now), 10_000, "never a request storm");
  assert.equal(handoffRefreshDelayMs("2026-06-01T11:00:00Z", now), 10_000, "already expired: soon");
  assert.equal(
    handoffRefreshDelayMs("2026-06-01T13:00:00Z", now),
    270_000,
    "a skewed clock cannot delay it",
  );
  assert.equal(handoffRefreshDelayMs("not a date", now), 60_000);
});

Deno.test("statusMessage: a failure stays on screen after the next handoff hides it from the status", () => {
  const failed = status({
    status: "in_progress",
    attempts_remaining: 2,
    latest_attempt: attempt("failed", "document_expired"),
  });
  const earlier = failureOf(failed);
  assert.deepEqual(earlier, { attemptId: "va_1", failureCode: "document_expired" });
  const next = status({
    status: "in_progress",
    attempts_remaining: 2,
    latest_attempt: { id: "va_2", status: "in_progress", failure_code: null },
  });
  const message = statusMessage(VERIFY_COPY_EN, next, earlier);
  assert.equal(message.phase, "in_progress");
  assert.ok(message.detail?.includes(VERIFY_COPY_EN.failureCodes.document_expired));
  assert.ok(message.detail?.includes("2 attempts left"));
  assert.equal(statusMessage(VERIFY_COPY_EN, next, null).detail, null);
  assert.equal(failureOf(next), null);
});
