/**
 * The handoff (docs/mobile-protocol.md, seed 003): the verify page asks for a phone credential; the server starts
 * an attempt and mints a one-time `mobile_write_token` valid 5 minutes. Within 60 seconds a
 * repeated request returns the same token and attempt; after that a new attempt and token are
 * issued (the sessions layer ends the old unclaimed attempt `handoff_superseded`).
 *
 * The token is never stored: it is an HMAC under the server key of the attempt id and issue time,
 * so any instance can re-derive it for the 60-second reuse, and KV holds only its keyed hash.
 *
 * Keys: `["handoff_tokens", tokenHash]` → {@link HandoffTokenRecord},
 * `["handoff_by_session", sessionId]` → {@link SessionHandoff} (the latest issue).
 */
import type { AppDeps } from "../deps.ts";
import { getConsent } from "../sessions/consent.ts";
import { createAttempt, getAttempt } from "../sessions/attempts.ts";
import { readSession } from "../sessions/sessions.ts";
import { isTerminal, SessionStateError } from "../sessions/types.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";
import { CodedError } from "../core/errors.ts";
import { shortLinkOf } from "./short_link.ts";

/** The token is valid this long after issue (for the first hello). */
export const HANDOFF_TOKEN_TTL_MS = 5 * 60 * 1000;

/** Repeated handoffs within this window return the same token and attempt. */
export const HANDOFF_REUSE_MS = 60 * 1000;

/** Stored per token (by its keyed hash): what it opens and who consumed it. */
export interface HandoffTokenRecord {
  sessionId: string;
  attemptId: string;
  issuedAt: string;
  expiresAt: string;
  consumedAt: string | null;
  /** Keyed hash of the device whose hello consumed the token. */
  deviceIdHash: string | null;
}

/** The latest handoff of a session. */
export interface SessionHandoff {
  attemptId: string;
  tokenHash: string;
  issuedAt: string;
  expiresAt: string;
}

/** The handoff response (docs/mobile-protocol.md). */
export interface HandoffResponse {
  v: 1;
  session_id: string;
  attempt_id: string;
  mobile_write_token: string;
  expires_at: string;
  /** The phone's WebSocket (`ws://` or `wss://`). */
  mobile_url: string;
  /** Custom-scheme link for a compatible app on the same device. */
  deep_link: string;
  /** The same as an https link (universal/app link); the token is in the fragment. */
  deep_link_https: string;
  /** The QR code's content: `<public URL>/h#<token as base64url>` (lib/handoff/short_link.ts). */
  short_link: string;
  /** Protocol version the phone must speak. */
  protocol_version: number;
}

/** Why a handoff was refused; `code` is the API error code (answers: lib/http/error_table.ts). */
export class HandoffError extends CodedError<
  "NOT_FOUND" | "SESSION_EXPIRED" | "CONSENT_REQUIRED" | "SESSION_IN_PROGRESS"
> {}

/** Keys of this module. */
export const handoffKeys = {
  token: (tokenHash: string) => ["handoff_tokens", tokenHash] as const,
  bySession: (sessionId: string) => ["handoff_by_session", sessionId] as const,
  /** One simulation per session at a time (`simulation_claim.ts`). */
  simulationClaim: (sessionId: string) => ["simulation_claims", sessionId] as const,
};

/** Re-derives the plaintext token of an issue (only the server key can). */
export async function deriveHandoffToken(
  deps: Pick<AppDeps, "keys">,
  attemptId: string,
  issuedAt: string,
): Promise<string> {
  return await deps.keys.hash(`handoff-token:v1:${attemptId}:${Date.parse(issuedAt)}`);
}

/** The keyed hash under which a token is stored and looked up. */
export async function hashHandoffToken(
  deps: Pick<AppDeps, "keys">,
  token: string,
): Promise<string> {
  return await deps.keys.hash(`handoff-token-hash:${token}`);
}

/** The WebSocket URL of a session on this server. */
export function mobileUrl(publicUrl: string, sessionId: string): string {
  const ws = publicUrl.replace(/^http(s?):\/\//, "ws$1://");
  return `${ws}/v1/verify/session/${sessionId}/mobile`;
}

// One handoff at a time per session in this instance, so concurrent clicks share one token.
const inFlight = new Map<string, Promise<unknown>>();

async function serialised<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(sessionId) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(work);
  inFlight.set(sessionId, run);
  try {
    return await run;
  } finally {
    if (inFlight.get(sessionId) === run) inFlight.delete(sessionId);
  }
}

/**
 * Issues (or, within 60 s, re-issues) the phone credential of a session. Throws
 * {@link HandoffError}: 404 `NOT_FOUND`, 409 `CONSENT_REQUIRED`, 409 `SESSION_IN_PROGRESS`,
 * 410 `SESSION_EXPIRED`.
 */
export function issueHandoff(deps: AppDeps, sessionId: string): Promise<HandoffResponse> {
  return serialised(sessionId, () => issueHandoffNow(deps, sessionId));
}

async function issueHandoffNow(deps: AppDeps, sessionId: string): Promise<HandoffResponse> {
  const session = await readSession(deps, sessionId);
  if (!session) throw new HandoffError("NOT_FOUND", "No such session.");
  if (isTerminal(session.status)) {
    throw new HandoffError("SESSION_EXPIRED", `The session is ${session.status}.`);
  }
  if (!await getConsent(deps.kv, sessionId)) {
    throw new HandoffError("CONSENT_REQUIRED", "The user must consent before the handoff.");
  }
  const latest = session.latestAttemptId
    ? await getAttempt(deps.kv, session.latestAttemptId)
    : null;
  if (latest?.status === "in_progress" && latest.claimedAt) {
    throw new HandoffError(
      "SESSION_IN_PROGRESS",
      "A phone is verifying; it reconnects with its token.",
    );
  }
  const previous = (await deps.kv.get<SessionHandoff>(handoffKeys.bySession(sessionId))).value;
  const now = deps.clock.now();
  const reusable = previous && latest?.status === "in_progress" &&
    latest.id === previous.attemptId &&
    now.getTime() - Date.parse(previous.issuedAt) < HANDOFF_REUSE_MS;
  if (reusable) return await responseFor(deps, sessionId, previous);
  return await responseFor(deps, sessionId, await startNewHandoff(deps, sessionId));
}

async function startNewHandoff(deps: AppDeps, sessionId: string): Promise<SessionHandoff> {
  let created;
  try {
    created = await createAttempt(deps, sessionId);
  } catch (error) {
    // The session changed since the checks above: refused in this layer's own terms, as there
    // (callers such as the verify page handle only HandoffError; the table answers its codes).
    if (!(error instanceof SessionStateError)) throw error;
    if (error.code === "session_in_progress") {
      throw new HandoffError(
        "SESSION_IN_PROGRESS",
        "A phone is verifying; it reconnects with its token.",
      );
    }
    if (error.code === "session_terminal") {
      throw new HandoffError("SESSION_EXPIRED", error.message);
    }
    if (error.code === "session_not_found") {
      throw new HandoffError("NOT_FOUND", "No such session.");
    }
    throw error;
  }
  const issuedAt = deps.clock.now().toISOString();
  const expiresAt = new Date(Date.parse(issuedAt) + HANDOFF_TOKEN_TTL_MS).toISOString();
  const attemptId = created.attempt.id;
  const tokenHash = await hashHandoffToken(
    deps,
    await deriveHandoffToken(deps, attemptId, issuedAt),
  );
  const record: HandoffTokenRecord = {
    sessionId,
    attemptId,
    issuedAt,
    expiresAt,
    consumedAt: null,
    deviceIdHash: null,
  };
  const handoff: SessionHandoff = { attemptId, tokenHash, issuedAt, expiresAt };
  // Records outlive the session's hour only as long as needed for resume answers.
  const expireIn = 2 * 60 * 60 * 1000;
  await deps.kv.atomic()
    .set(handoffKeys.token(tokenHash), record, { expireIn })
    .set(handoffKeys.bySession(sessionId), handoff, { expireIn })
    .commit();
  return handoff;
}

async function responseFor(
  deps: AppDeps,
  sessionId: string,
  handoff: SessionHandoff,
): Promise<HandoffResponse> {
  const token = await deriveHandoffToken(deps, handoff.attemptId, handoff.issuedAt);
  const wsUrl = mobileUrl(deps.config.publicUrl, sessionId);
  const query = new URLSearchParams({ v: "1", session_id: sessionId, token, mobile_url: wsUrl });
  return {
    v: 1,
    session_id: sessionId,
    attempt_id: handoff.attemptId,
    mobile_write_token: token,
    expires_at: handoff.expiresAt,
    mobile_url: wsUrl,
    deep_link: `kayleid://verify?${query}`,
    deep_link_https: `${deps.config.publicUrl}/verify/${sessionId}/phone#${query}`,
    short_link: shortLinkOf(deps.config.publicUrl, token),
    protocol_version: PROTOCOL_VERSION,
  };
}
