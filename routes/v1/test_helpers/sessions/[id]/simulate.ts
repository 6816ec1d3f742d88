/**
 * `POST /v1/test_helpers/sessions/:id/simulate` (docs/api.md#test-and-live): runs the reference phone with a
 * scenario against a TEST session, server-side, through the real checks, so an integrator can
 * reach every webhook without a phone. Test keys only; live keys and live sessions are refused.
 */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { ApiError, notFound } from "../../../../../lib/http/errors.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import {
  requireTestSession,
  runSimulation,
  simulationRequestSchema,
  simulationResultSchema,
} from "../../../../../lib/handoff/simulate_api.ts";
import { SCENARIO_NAMES } from "../../../../../phone/mod.ts";

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
    body: simulationRequestSchema,
    response: simulationResultSchema,
    errors: [
      { status: 403, code: "TEST_MODE_ONLY", when: "the key or the session is live" },
      { status: 404, code: "NOT_FOUND", when: "no session with this id in the organization" },
      { status: 409, code: "SESSION_IN_PROGRESS", when: "a phone is verifying this session" },
      {
        status: 409,
        code: "HANDOFF_DEVICE_MISMATCH",
        when: "another device is bound to the session",
      },
      {
        status: 409,
        code: "SIMULATION_IN_PROGRESS",
        when: "another simulation of this session is running",
      },
      { status: 410, code: "SESSION_EXPIRED", when: "the session has ended" },
    ],
    async handler(c, { params, body }) {
      const key = c.var.apiKey!;
      if (key.mode !== "test") {
        throw new ApiError(403, "TEST_MODE_ONLY", "Test helpers need a test key (kk_test_…).");
      }
      const deps = c.var.deps;
      const session = await readSession(deps, params.id, { orgId: key.orgId, mode: "test" });
      if (!session) throw notFound("session");
      requireTestSession(session, "Live sessions cannot be simulated; use a phone.");
      return ok(c, await runSimulation(deps, session.id, body.scenario));
    },
  }),
});
