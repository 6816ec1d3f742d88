/**
 * Session analytics (`GET /v1/analytics/sessions/overview`): counts by status and a 14-day daily
 * trend, from monotonic `KvU64` counters added to the same commit as each state change. `sum`
 * mutations never conflict, so counting costs no retries and stays exact under races.
 *
 * Keys, per organization AND mode (test and live are counted apart):
 * `["session_counters", orgId, mode, metric]` and
 * `["session_daily", orgId, mode, "YYYY-MM-DD", metric]`.
 * The analytics page (lib/sessions/analytics_report.ts) also reads, kept in the same commits:
 * `["session_failure_codes_daily", orgId, mode, "YYYY-MM-DD", failureCode]` (failed attempts) and
 * `["session_durations_daily", orgId, mode, "YYYY-MM-DD", bucketSeconds]` (completed sessions,
 * creation to completion, in the buckets of {@link DURATION_BUCKETS_SECONDS}).
 * Current counts are differences of monotonic counters:
 * created = created_total − claimed − ended_from_created;
 * in_progress = claimed − ended_from_in_progress.
 */
import type { OrgMode } from "../core/org_mode.ts";
import { sessionKeys, type SessionRecord, type SessionStatus } from "./types.ts";

/** Days in the trend. */
export const TREND_DAYS = 14;

const DAILY_METRICS = ["created", "succeeded", "failed", "expired", "cancelled"] as const;
type DailyMetric = typeof DAILY_METRICS[number];

/** Counts a new session in `op`. */
export function countSessionCreated(op: Deno.AtomicOperation, session: SessionRecord): void {
  op.sum(sessionKeys.counter(session, "created_total"), 1n);
  addDaily(op, session, session.createdAt, "created");
}

/** Counts the first claim (`created` → `in_progress`) in `op`. */
export function countSessionClaimed(op: Deno.AtomicOperation, session: SessionRecord): void {
  op.sum(sessionKeys.counter(session, "claimed"), 1n);
}

/** Counts a terminal transition in `op`; `before` is the status the session left. */
export function countSessionEnded(
  op: Deno.AtomicOperation,
  before: SessionStatus,
  after: SessionRecord,
): void {
  op.sum(sessionKeys.counter(after, `ended_from_${before}`), 1n);
  op.sum(sessionKeys.counter(after, after.status), 1n);
  const daily: DailyMetric = after.status === "completed"
    ? (after.outcome === "succeeded" ? "succeeded" : "failed")
    : after.status === "expired"
    ? "expired"
    : "cancelled";
  if (after.status === "completed") {
    op.sum(sessionKeys.counter(after, daily), 1n);
    const ms = Date.parse(after.completedAt ?? after.updatedAt) - Date.parse(after.createdAt);
    op.sum(sessionKeys.durationsDaily(after, after.updatedAt.slice(0, 10), durationBucket(ms)), 1n);
  }
  addDaily(op, after, after.updatedAt, daily);
}

/** Upper bounds (seconds) of the time-to-complete buckets; the last one holds the rest. */
export const DURATION_BUCKETS_SECONDS = [
  15,
  30,
  45,
  60,
  90,
  120,
  180,
  240,
  300,
  420,
  600,
  900,
  1200,
  1800,
  2700,
  3600,
  86_400,
] as const;

/** The bucket (its upper bound in seconds) of a duration. */
export function durationBucket(ms: number): number {
  const seconds = Math.max(0, ms) / 1000;
  return DURATION_BUCKETS_SECONDS.find((b) => seconds <= b) ?? DURATION_BUCKETS_SECONDS.at(-1)!;
}

/** Counts a failed attempt's failure code in `op` (the commit that records the verdict). */
export function countAttemptFailed(
  op: Deno.AtomicOperation,
  session: SessionRecord,
  failureCode: string,
  at: string,
): void {
  op.sum(sessionKeys.failureCodesDaily(session, at.slice(0, 10), failureCode), 1n);
}

function addDaily(
  op: Deno.AtomicOperation,
  session: SessionRecord,
  at: string,
  metric: DailyMetric,
): void {
  op.sum(sessionKeys.daily(session, at.slice(0, 10), metric), 1n);
}

/** The overview of the sessions of one organization and mode. */
export interface SessionsOverview {
  total: number;
  by_status: Record<SessionStatus, number>;
  by_outcome: { succeeded: number; failed: number };
  /** Oldest day first; days in UTC. */
  daily: Array<{ date: string } & Record<DailyMetric, number>>;
}

/** Reads the overview at `now` (the trend ends with today, UTC). */
export async function getSessionsOverview(
  kv: Deno.Kv,
  scope: OrgMode,
  now: Date,
): Promise<SessionsOverview> {
  const counters = new Map<string, number>();
  for await (const e of kv.list<Deno.KvU64>({ prefix: sessionKeys.countersPrefix(scope) })) {
    counters.set(String(e.key[3]), Number(e.value.value));
  }
  const n = (k: string) => counters.get(k) ?? 0;
  const days = trendDays(now);
  const daily = new Map(days.map((d) => [d, emptyDay(d)]));
  for await (
    const e of kv.list<Deno.KvU64>({
      start: [...sessionKeys.dailyPrefix(scope), days[0]],
      end: [...sessionKeys.dailyPrefix(scope), days.at(-1)! + "\uffff"],
    })
  ) {
    const row = daily.get(String(e.key[3]));
    if (row) row[e.key[4] as DailyMetric] = Number(e.value.value);
  }
  return {
    total: n("created_total"),
    by_status: {
      created: n("created_total") - n("claimed") - n("ended_from_created"),
      in_progress: n("claimed") - n("ended_from_in_progress"),
      completed: n("completed"),
      expired: n("expired"),
      cancelled: n("cancelled"),
    },
    by_outcome: { succeeded: n("succeeded"), failed: n("failed") },
    daily: [...daily.values()],
  };
}

function trendDays(now: Date): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from(
    { length: TREND_DAYS },
    (_, i) => new Date(today - (TREND_DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

function emptyDay(date: string): { date: string } & Record<DailyMetric, number> {
  return { date, created: 0, succeeded: 0, failed: 0, expired: 0, cancelled: 0 };
}
