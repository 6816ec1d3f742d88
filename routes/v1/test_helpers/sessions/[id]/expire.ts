/**
 * `POST /v1/test_helpers/sessions/:id/expire` (docs/api.md "Test helpers"): ends a TEST session as
 * expired now, with its one `verification.session.expired` event, so an integrator can see that
 * webhook without waiting an hour. Idempotent: a session that already ended is returned unchanged.
 * Test keys only; a live key is refused and a live session is not visible to a test key (404).
 */
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { ApiError, notFound } from "../../../../../lib/http/errors.ts";
import { isId } from "../../../../../lib/core/ids.ts";
import {
  sessionIdParamsSchema,
  sessionSchema,
  toSessionObject,
} from "../../../../../lib/sessions/api_objects.ts";
import { readSession } from "../../../../../lib/sessions/sessions.ts";
import { expireSession } from "../../../../../lib/sessions/lifecycle.ts";

export const api = define.api({
  POST: define.operation({
    summary: "Expire a test session now",
    description:
      "Ends a test session as `expired` at once and emits `verification.session.expired`, as the " +
      "60-minute expiry would. A session that already ended is returned unchanged.",
    tags: ["Test helpers"],
    operationId: "expireTestSession",
    scope: "sessions:write",
    params: sessionIdParamsSchema,
    response: sessionSchema,
    errors: [
      { status: 403, code: "TEST_MODE_ONLY", when: "the API key is a live key" },
      { status: 404, code: "NOT_FOUND", when: "no test session with this id in the organization" },
      { status: 409, code: "CONFLICT", when: "the session changed too often to commit; retry" },
    ],
    async handler(c, { params }) {
      const key = c.var.apiKey!;
      if (key.mode !== "test") {
        throw new ApiError(403, "TEST_MODE_ONLY", "Test helpers need a test key (kk_test_…).");
      }
      const deps = c.var.deps;
      const scope = { orgId: key.orgId, mode: "test" as const };
      const session = isId("vs", params.id) ? await readSession(deps, params.id, scope) : null;
      if (!session) throw notFound("session");
      const after = await expireSession(deps, session.id, { now: true });
      if (after && after.status === "expired" && session.status !== "expired") {
        deps.logger.info("session.expired", {
          org_id: key.orgId,
          session_id: session.id,
          by: "test_helper",
        });
      }
      return ok(c, toSessionObject(after!, { publicUrl: deps.config.publicUrl }));
    },
  }),
});
