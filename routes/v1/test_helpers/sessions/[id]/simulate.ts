/**
 * `POST /v1/test_helpers/sessions/:id/simulate` (SPEC §8): runs the reference phone with a
 * scenario against a TEST session, server-side, through the real checks, so an integrator can
 * reach every webhook without a phone. Test keys only; live keys and live sessions are refused.
 */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { ApiError, notFound } from "../../../../../lib/http/errors.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import { toApiError } from "../../../../../lib/sessions/http.ts";
import { simulateSession } from "../../../../../lib/handoff/simulate.ts";
import { toHandoffApiError } from "../../../../../lib/handoff/http.ts";
import { PhoneProtocolError, SCENARIO_NAMES } from "../../../../../phone/mod.ts";

const simulationResult = z.object({
  session_id: z.string(),
  attempt_id: z.string(),
  scenario: z.string(),
  attempt_status: z.string(),
  failure_code: z.string().nullable(),
  session_status: z.string().nullable(),
  attempts_remaining: z.number().int(),
}).openapi("SimulationResult");

export const api = define.api({
  POST: define.operation({
    summary: "Simulate a phone on a test session",
    description:
      "Consents to every requested field if needed, takes the handoff and plays a synthetic passport " +
      "through the real checks. Scenarios: " + SCENARIO_NAMES.join(", ") + ".",
    tags: ["Test helpers"],
    operationId: "simulateSession",
    scope: "sessions:write",
    params: sessionIdParamsSchema,
    body: z.object({ scenario: z.enum(SCENARIO_NAMES as [string, ...string[]]).default("success") })
      .strict()
      .openapi("SimulationRequest"),
    response: simulationResult,
    errors: [
      { status: 403, code: "TEST_MODE_ONLY", when: "the key or the session is live" },
      { status: 404, code: "NOT_FOUND", when: "no session with this id in the organization" },
      { status: 409, code: "SESSION_IN_PROGRESS", when: "a phone is verifying this session" },
      {
        status: 409,
        code: "HANDOFF_DEVICE_MISMATCH",
        when: "another device is bound to the session",
      },
      { status: 410, code: "SESSION_EXPIRED", when: "the session has ended" },
    ],
    async handler(c, { params, body }) {
      const key = c.var.apiKey!;
      if (key.mode !== "test") {
        throw new ApiError(403, "TEST_MODE_ONLY", "Test helpers need a test key (kk_test_…).");
      }
      const deps = c.var.deps;
      const session = await readSession(deps, params.id, key.orgId);
      if (!session) throw notFound("session");
      if (session.mode !== "test") {
        throw new ApiError(
          403,
          "TEST_MODE_ONLY",
          "Live sessions cannot be simulated; use a phone.",
        );
      }
      const result = await simulateSession(deps, session.id, body?.scenario ?? "success").catch(
        (error) => {
          if (error instanceof PhoneProtocolError) {
            throw new ApiError(409, error.code, error.message);
          }
          throw toHandoffApiError(toApiError(error));
        },
      );
      return ok(c, {
        session_id: result.sessionId,
        attempt_id: result.attemptId,
        scenario: result.scenario,
        attempt_status: result.status,
        failure_code: result.failureCode,
        session_status: result.sessionStatus,
        attempts_remaining: result.attemptsRemaining,
      });
    },
  }),
});
