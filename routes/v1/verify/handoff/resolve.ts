/**
 * `POST /v1/verify/handoff/resolve` (docs/mobile-protocol.md "Short link"): turns the token of a
 * short handoff link (`<server>/h#<token>`) into the full handoff link. The token travels in the
 * body, never in a URL, so it stays out of logs. Public; rate-limited per client address.
 */
import { z } from "@hono/zod-openapi";
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { rateLimited } from "../../../../lib/http/errors.ts";
import { PUBLIC_RATE_LIMITS } from "../../../../lib/sessions/http.ts";
import { RESOLVE_PER_IP_PER_MINUTE, resolveShortLink } from "../../../../lib/handoff/short_link.ts";

const resolved = z.object({
  session_id: z.string(),
  mobile_write_token: z.string(),
  mobile_url: z.string(),
  expires_at: z.string().openapi({ format: "date-time" }),
  deep_link: z.string(),
  deep_link_https: z.string(),
}).openapi("ResolvedHandoff");

export const api = define.api({
  POST: define.operation({
    summary: "Resolve a short handoff link",
    description:
      "Takes the fragment of a short link (`<server>/h#<token>`, 43 base64url characters) or a " +
      "64-hex-digit token and answers the handoff it belongs to. Does not consume the token.",
    tags: ["Verify"],
    operationId: "resolveHandoffLink",
    scope: "public",
    body: z.object({
      token: z.string().min(1).max(200).openapi({
        example: "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k",
      }),
    }).strict(),
    response: resolved,
    errors: [
      { status: 404, code: "HANDOFF_TOKEN_INVALID", when: "the token was never issued" },
      {
        status: 410,
        code: "HANDOFF_TOKEN_EXPIRED",
        when: "the token expired unused, or its session ended",
      },
      { status: 429, code: "RATE_LIMITED", when: "too many requests from this address" },
    ],
    async handler(c, { body }) {
      const limiter = c.var.deps.limiter;
      const byIp = await limiter.hit("verify_ip", c.var.clientIp, PUBLIC_RATE_LIMITS.perIp, 60_000);
      if (!byIp.allowed) throw rateLimited(byIp.retryAfterSeconds);
      const mine = await limiter.hit(
        "handoff_resolve",
        c.var.clientIp,
        RESOLVE_PER_IP_PER_MINUTE,
        60_000,
      );
      if (!mine.allowed) throw rateLimited(mine.retryAfterSeconds);
      c.header("Cache-Control", "no-store");
      return ok(c, await resolveShortLink(c.var.deps, body.token));
    },
  }),
});
