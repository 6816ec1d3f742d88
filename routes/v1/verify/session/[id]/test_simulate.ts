/**
 * `POST /v1/verify/session/:id/test_simulate` — the verify page's "simulate the phone" panel
 * (docs/api.md#test-and-live) for TEST sessions only. Public like the other verify endpoints (the page has no API
 * key, and the test-helper endpoint needs one), which is safe because it refuses live sessions:
 * a test session trusts only the sandbox CSCA, so simulating one proves nothing about a person
 * and reaches no live webhook. It needs the user's consent first (the panel shows after it), is
 * rate-limited per client address and per session, and runs the same server-side reference
 * phone as `POST /v1/test_helpers/sessions/:id/simulate`.
 */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { ApiError, notFound, rateLimited } from "../../../../../lib/http/errors.ts";
import { isId } from "../../../../../lib/core/ids.ts";
import type { RateLimiter } from "../../../../../lib/http/rate_limit.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import { getConsent } from "../../../../../lib/sessions/consent.ts";
import { PUBLIC_RATE_LIMITS } from "../../../../../lib/sessions/http.ts";
import {
  requireTestSession,
  runSimulation,
  simulationRequestSchema,
  simulationResultSchema,
} from "../../../../../lib/handoff/simulate_api.ts";
import { SCENARIO_NAMES } from "../../../../../phone/mod.ts";

/** Simulations per session and minute (each one runs the whole pipeline). */
export const TEST_SIMULATE_PER_SESSION = 10;

export const api = define.api({
  POST: define.operation({
    summary: "Simulate the phone on a test session (verify page)",
    description:
      "Test-mode sessions only, after consent. Plays a synthetic sandbox passport through the " +
      "real checks, as the test-helper endpoint does, without an API key. Scenarios: " +
      SCENARIO_NAMES.join(", ") + ".",
    tags: ["Verify"],
    operationId: "simulatePhoneFromVerifyPage",
    scope: "public",
    params: sessionIdParamsSchema,
    body: simulationRequestSchema,
    response: simulationResultSchema,
    errors: [
      { status: 404, code: "NOT_FOUND", when: "no session with this id" },
      { status: 403, code: "TEST_MODE_ONLY", when: "the session is live" },
      { status: 409, code: "CONSENT_REQUIRED", when: "the user has not consented yet" },
      { status: 409, code: "SESSION_IN_PROGRESS", when: "a phone is verifying this session" },
      {
        status: 409,
        code: "HANDOFF_DEVICE_MISMATCH",
        when: "another phone is bound to the session",
      },
      {
        status: 409,
        code: "SIMULATION_IN_PROGRESS",
        when: "another simulation of this session is running",
      },
      { status: 410, code: "SESSION_EXPIRED", when: "the session has ended" },
    ],
    async handler(c, { params, body }) {
      await limitSimulation(c.var.deps.limiter, c.var.clientIp, params.id);
      const deps = c.var.deps;
      const session = await readSession(deps, params.id);
      if (!session) throw notFound("session");
      requireTestSession(session, "Only test sessions can be simulated; use a phone.");
      if (!await getConsent(deps.kv, session.id)) {
        throw new ApiError(
          409,
          "CONSENT_REQUIRED",
          "Consent on the verify page before simulating the phone.",
        );
      }
      const result = await runSimulation(deps, session.id, body.scenario);
      deps.logger.info("verify.test_simulate", {
        session_id: session.id,
        scenario: result.scenario,
      });
      return ok(c, result);
    },
  }),
});

async function limitSimulation(
  limiter: RateLimiter,
  clientIp: string,
  sessionId: string,
): Promise<void> {
  const byIp = await limiter.hit("verify_ip", clientIp, PUBLIC_RATE_LIMITS.perIp, 60_000);
  if (!byIp.allowed) throw rateLimited(byIp.retryAfterSeconds);
  if (!isId("vs", sessionId)) throw notFound("session");
  const bySession = await limiter.hit(
    "verify_test_simulate",
    sessionId,
    TEST_SIMULATE_PER_SESSION,
    60_000,
  );
  if (!bySession.allowed) throw rateLimited(bySession.retryAfterSeconds);
}
