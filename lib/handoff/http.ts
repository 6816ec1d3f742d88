/**
 * The HTTP edge of the handoff: rate limits of the handoff and the phone's WebSocket (per client
 * address, shared with the other public verify endpoints, and per session) (its errors are answered by `lib/http/error_table.ts`).
 */
import type { AppContext } from "../framework/define.ts";
import { limitVerifyRequest } from "../sessions/http.ts";

/** Requests per minute per session. */
export const HANDOFF_RATE_LIMITS = { handoff: 30, mobile: 120 } as const;

/** Counts a handoff or WebSocket request; throws 429 `RATE_LIMITED`, then 404 for a bad id. */
export function limitHandoffRequest(
  c: AppContext,
  endpoint: keyof typeof HANDOFF_RATE_LIMITS,
  sessionId: string,
): Promise<void> {
  return limitVerifyRequest(c, endpoint, sessionId, HANDOFF_RATE_LIMITS[endpoint]);
}
