/**
 * The stored shapes of the sessions layer (docs/api.md): verification sessions, attempts and
 * the typed error every state change throws. Records are what KV holds; the API objects are
 * built from them by `toSessionObject` / `toAttemptObject` and never carry personal data.
 *
 * KV keys (saaskit style, one aggregate per module):
 * - `["sessions", id]` → {@link SessionRecord}
 * - `["sessions_by_org", orgId, mode, createdAtMs, id]` → id (newest-first lists of one mode)
 * - `["sessions_by_org_status", orgId, mode, status, createdAtMs, id]` → id (status filter)
 * - `["sessions_by_expiry", expiresAtMs, id]` → id (only while not terminal; the sweep)
 * - `["attempts", id]`, `["attempts_by_session", sessionId, id]`,
 *   `["attempts_by_org", orgId, mode, createdAtMs, id]`,
 *   `["attempts_by_org_status", orgId, mode, status, createdAtMs, id]` (moved with the status)
 * - `["consents", sessionId]`, `["cancel_tokens", sessionId]`,
 *   `["idempotency", orgId, mode, keyHash]`
 * (Indexes written before the mode was part of them are rewritten by `lib/migrations.ts`.)
 * - `["sessions_to_minimise", endedAtMs, id]`, `["sessions_to_delete", endedAtMs, id]` (retention)
 */
import type { KeyMode } from "../api_keys/api_keys.ts";
import type { ShareFields } from "./share_fields.ts";
import type { OrgMode } from "../core/org_mode.ts";
import { CodedError } from "../core/errors.ts";

/** Session statuses (seed 001's table). */
export const SESSION_STATUSES = [
  "created",
  "in_progress",
  "completed",
  "expired",
  "cancelled",
] as const;

/** A session status. */
export type SessionStatus = typeof SESSION_STATUSES[number];

/** Statuses a session never leaves. */
export const TERMINAL_STATUSES: readonly SessionStatus[] = ["completed", "expired", "cancelled"];

/** Attempt statuses. */
export const ATTEMPT_STATUSES = ["in_progress", "succeeded", "failed", "cancelled"] as const;

/** An attempt status. */
export type AttemptStatus = typeof ATTEMPT_STATUSES[number];

/** A session lives 60 minutes from creation (docs/api.md). */
export const SESSION_TTL_MS = 60 * 60 * 1000;

/** After this many failed attempts the session is completed with outcome `failed`. */
export const MAX_FAILED_ATTEMPTS = 3;

/** Who cancelled a session. */
export type CancelledBy = "integrator" | "user";

/** Why a session was cancelled (the `verification.session.cancelled` reason). */
export type CancelReason = "cancelled" | "cancelled_after_failed_attempt";

/** A stored verification session. */
export interface SessionRecord {
  id: string;
  orgId: string;
  mode: KeyMode;
  status: SessionStatus;
  outcome: "succeeded" | "failed" | null;
  /** The last failed attempt's code when the outcome is `failed`. */
  failureCode: string | null;
  contractVersion: number;
  shareFields: ShareFields;
  redirectUrl: string | null;
  webhookEndpointId: string | null;
  /** Attempts that reached a verdict (succeeded or failed). */
  attemptsUsed: number;
  failedAttempts: number;
  /** The newest attempt (the only one that can be in progress). */
  latestAttemptId: string | null;
  /** Keyed hash of the first claiming device; after it, only that device may claim. */
  deviceIdHash: string | null;
  cancelReason: CancelReason | null;
  cancelledBy: CancelledBy | null;
  expiresAt: string;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** When retention stripped what is no longer needed (7 days after the end). */
  minimisedAt?: string | null;
}

/** A stored verification attempt (no document data, ever). */
export interface AttemptRecord {
  id: string;
  sessionId: string;
  orgId: string;
  /** The session's mode (copied, so attempt lists read one mode's index). */
  mode: KeyMode;
  status: AttemptStatus;
  failureCode: string | null;
  riskScore: number | null;
  /** Keyed hash of the device that claimed it. */
  deviceIdHash: string | null;
  claimedAt: string | null;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Stable codes of {@link SessionStateError}. */
export type SessionStateCode =
  | "session_not_found"
  | "session_terminal"
  | "session_in_progress"
  | "attempt_not_found"
  | "attempt_not_current"
  | "attempt_not_in_progress"
  | "attempt_not_claimed"
  | "device_mismatch"
  | "contention";

/** A state change that the session's current state does not allow; `code` is stable. */
export class SessionStateError extends CodedError<SessionStateCode> {}

/** True for `completed`, `expired` and `cancelled`. */
export function isTerminal(status: SessionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Attempts a session still allows (0 once terminal). */
export function attemptsRemaining(session: SessionRecord): number {
  if (isTerminal(session.status)) return 0;
  return Math.max(0, MAX_FAILED_ATTEMPTS - session.failedAttempts);
}

/**
 * What a session list index entry holds: the session as last written (`records.ts`), or its id
 * (entries of earlier versions). Attempt list entries hold the attempt the same way.
 */
export type SessionIndexValue = SessionRecord | string;

/** KV key builders, so every module spells the keys the same way. */
export const sessionKeys = {
  session: (id: string) => ["sessions", id] as const,
  byOrg: (s: SessionRecord) =>
    ["sessions_by_org", s.orgId, s.mode, Date.parse(s.createdAt), s.id] as const,
  byOrgStatus: (s: SessionRecord, status: SessionStatus = s.status) =>
    ["sessions_by_org_status", s.orgId, s.mode, status, Date.parse(s.createdAt), s.id] as const,
  byExpiry: (s: SessionRecord) => ["sessions_by_expiry", Date.parse(s.expiresAt), s.id] as const,
  attempt: (id: string) => ["attempts", id] as const,
  attemptBySession: (a: AttemptRecord) => ["attempts_by_session", a.sessionId, a.id] as const,
  attemptByOrg: (a: AttemptRecord) =>
    ["attempts_by_org", a.orgId, a.mode, Date.parse(a.createdAt), a.id] as const,
  attemptByOrgStatus: (a: AttemptRecord, status: AttemptStatus = a.status) =>
    ["attempts_by_org_status", a.orgId, a.mode, status, Date.parse(a.createdAt), a.id] as const,
  toMinimise: (s: SessionRecord) =>
    ["sessions_to_minimise", Date.parse(s.completedAt!), s.id] as const,
  toDelete: (s: SessionRecord) => ["sessions_to_delete", Date.parse(s.completedAt!), s.id] as const,
  consent: (sessionId: string) => ["consents", sessionId] as const,
  cancelToken: (sessionId: string) => ["cancel_tokens", sessionId] as const,
  // Prefixes of the lists and queues.
  allSessionsPrefix: () => ["sessions"] as const,
  allAttemptsPrefix: () => ["attempts"] as const,
  allByOrgPrefix: () => ["sessions_by_org"] as const,
  allCancelTokensPrefix: () => ["cancel_tokens"] as const,
  byOrgPrefix: (scope: OrgMode) => ["sessions_by_org", scope.orgId, scope.mode] as const,
  byOrgStatusPrefix: (scope: OrgMode, status: SessionStatus) =>
    ["sessions_by_org_status", scope.orgId, scope.mode, status] as const,
  byExpiryPrefix: () => ["sessions_by_expiry"] as const,
  attemptsBySessionPrefix: (sessionId: string) => ["attempts_by_session", sessionId] as const,
  attemptsByOrgPrefix: (scope: OrgMode) => ["attempts_by_org", scope.orgId, scope.mode] as const,
  attemptsByOrgStatusPrefix: (scope: OrgMode, status: AttemptStatus) =>
    ["attempts_by_org_status", scope.orgId, scope.mode, status] as const,
  toMinimisePrefix: () => ["sessions_to_minimise"] as const,
  toDeletePrefix: () => ["sessions_to_delete"] as const,
  // Analytics counters (lib/sessions/analytics.ts): `day` is "YYYY-MM-DD" (UTC).
  counter: (scope: OrgMode, metric: string) =>
    ["session_counters", scope.orgId, scope.mode, metric] as const,
  countersPrefix: (scope: OrgMode) => ["session_counters", scope.orgId, scope.mode] as const,
  daily: (scope: OrgMode, day: string, metric: string) =>
    ["session_daily", scope.orgId, scope.mode, day, metric] as const,
  dailyPrefix: (scope: OrgMode) => ["session_daily", scope.orgId, scope.mode] as const,
  failureCodesDaily: (scope: OrgMode, day: string, code: string) =>
    ["session_failure_codes_daily", scope.orgId, scope.mode, day, code] as const,
  failureCodesDailyPrefix: (scope: OrgMode) =>
    ["session_failure_codes_daily", scope.orgId, scope.mode] as const,
  durationsDaily: (scope: OrgMode, day: string, bucketSeconds: number) =>
    ["session_durations_daily", scope.orgId, scope.mode, day, bucketSeconds] as const,
  durationsDailyPrefix: (scope: OrgMode) =>
    ["session_durations_daily", scope.orgId, scope.mode] as const,
};
