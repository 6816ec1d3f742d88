/**
 * `POST /v1/verify/session/:id/handoff` (docs/mobile-protocol.md, seed 003): mints the phone credential — a
 * one-time token valid 5 minutes, reused for 60 seconds — and the WebSocket URL and deep link
 * (usable as a QR code). Public, rate-limited per client address and per session.
 */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../../lib/framework/define.ts";
import { ok } from "../../../../../lib/http/envelope.ts";
import { sessionIdParamsSchema } from "../../../../../lib/sessions/api_objects.ts";
import { publicErrors } from "../../../../../lib/sessions/http.ts";
import { issueHandoff } from "../../../../../lib/handoff/handoff.ts";
import { limitHandoffRequest } from "../../../../../lib/handoff/http.ts";

const handoffResponse = z.object({
  v: z.literal(1),
  session_id: z.string(),
  attempt_id: z.string(),
  mobile_write_token: z.string().openapi({
    description: "One-time credential of the phone's hello.",
  }),
  expires_at: z.string().openapi({ format: "date-time", description: "5 minutes after issue." }),
  mobile_url: z.string().openapi({ description: "The phone's WebSocket (ws:// or wss://)." }),
  deep_link: z.string().openapi({
    description: "`kayleid://verify?…`: opens a compatible app on this device.",
  }),
  deep_link_https: z.string().openapi({
    description: "The same as an https link (token in the fragment).",
  }),
  short_link: z.string().openapi({
    description: "`<server>/h#<token>`: the QR code's content, short enough for a QR code of " +
      "version ≤ 6; resolve it with POST /v1/verify/handoff/resolve. See docs/mobile-protocol.md.",
  }),
  protocol_version: z.number().int(),
}).openapi("HandoffResponse");

export const api = define.api({
  POST: define.operation({
    summary: "Hand the verification off to a phone",
    description:
      "Within 60 seconds a repeated request returns the same token and attempt; after that a " +
      "new attempt and token are issued and the unclaimed previous attempt ends `handoff_superseded`. " +
      "See docs/mobile-protocol.md.",
    tags: ["Verify"],
    operationId: "createHandoff",
    scope: "public",
    params: sessionIdParamsSchema,
    response: handoffResponse,
    errors: [
      ...publicErrors,
      { status: 409, code: "CONSENT_REQUIRED", when: "the user has not consented yet" },
      {
        status: 409,
        code: "SESSION_IN_PROGRESS",
        when: "a phone claimed the current attempt; it reconnects with its token",
      },
      { status: 410, code: "SESSION_EXPIRED", when: "the session has ended" },
    ],
    async handler(c, { params }) {
      await limitHandoffRequest(c, "handoff", params.id);
      return ok(c, await issueHandoff(c.var.deps, params.id));
    },
  }),
});
