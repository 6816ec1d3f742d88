/**
 * The HTTP edge of the sessions layer: rate limits of the public verify endpoints per client
 * address and per session. (Its typed errors are answered by `lib/http/error_table.ts`.)
 */
import type { AppContext } from "../framework/define.ts";
import { notFound, rateLimited } from "../http/errors.ts";
import { isId } from "../core/ids.ts";

/** Public endpoint limits: requests per minute per client address, and per session. */
export const PUBLIC_RATE_LIMITS = {
  /** All public verify endpoints together, per client address. */
  perIp: 300,
  /** Per session and endpoint. */
  perSession: { details: 60, status: 120, consent: 20, cancel: 10 },
} as const;

/** A public verify endpoint that is rate-limited. */
export type PublicEndpoint = keyof typeof PUBLIC_RATE_LIMITS.perSession;

/**
 * Counts a request to a public verify endpoint per client address (one budget for all of them) and
 * per session and `bucket` (fixed one-minute windows); throws 429 `RATE_LIMITED` with Retry-After,
 * then 404 for an id that cannot be a session. The handoff and the phone's WebSocket use it too.
 */
export async function limitVerifyRequest(
  c: AppContext,
  bucket: string,
  sessionId: string,
  perSessionPerMinute: number,
): Promise<void> {
  const limiter = c.var.deps.limiter;
  const byIp = await limiter.hit("verify_ip", c.var.clientIp, PUBLIC_RATE_LIMITS.perIp, 60_000);
  if (!byIp.allowed) throw rateLimited(byIp.retryAfterSeconds);
  if (!isId("vs", sessionId)) throw notFound("session");
  const bySession = await limiter.hit(`verify_${bucket}`, sessionId, perSessionPerMinute, 60_000);
  if (!bySession.allowed) throw rateLimited(bySession.retryAfterSeconds);
}

/** {@link limitVerifyRequest} with the limit of one of the sessions layer's public endpoints. */
export function limitPublicRequest(
  c: AppContext,
  endpoint: PublicEndpoint,
  sessionId: string,
): Promise<void> {
  return limitVerifyRequest(c, endpoint, sessionId, PUBLIC_RATE_LIMITS.perSession[endpoint]);
}

/** Errors every public verify endpoint documents. */
export const publicErrors = [
  { status: 404, code: "NOT_FOUND", when: "no session with this id" },
];
