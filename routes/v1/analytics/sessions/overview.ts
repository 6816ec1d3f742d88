/** `GET /v1/analytics/sessions/overview` (docs/api.md): counts by status and a 14-day trend. */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { getSessionsOverview } from "../../../../lib/sessions/analytics.ts";
import { expireScopeDueSessions } from "../../../../lib/sessions/effective.ts";

const day = z.object({
  date: z.string().openapi({ format: "date", example: "2026-06-01" }),
  created: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  expired: z.number().int(),
  cancelled: z.number().int(),
});

const overviewSchema = z.object({
  total: z.number().int(),
  by_status: z.object({
    created: z.number().int(),
    in_progress: z.number().int(),
    completed: z.number().int(),
    expired: z.number().int(),
    cancelled: z.number().int(),
  }),
  by_outcome: z.object({ succeeded: z.number().int(), failed: z.number().int() }),
  daily: z.array(day).openapi({ description: "14 UTC days, oldest first, ending today." }),
}).openapi("SessionsOverview");

export const api = define.api({
  GET: define.operation({
    summary: "Sessions overview",
    description:
      "Current counts by status and outcome, and a 14-day daily trend (UTC days), of the key's " +
      "mode only: a test key counts test sessions, a live key live ones.",
    tags: ["Analytics"],
    operationId: "getSessionsOverview",
    scope: "analytics:read",
    response: overviewSchema,
    async handler(c) {
      const deps = c.var.deps;
      const { orgId, mode } = c.var.apiKey!;
      // Counts are stored per status: this scope's due sessions are counted as expired first.
      await expireScopeDueSessions(deps, { orgId, mode });
      return ok(c, await getSessionsOverview(deps.kv, { orgId, mode }, deps.clock.now()));
    },
  }),
});
