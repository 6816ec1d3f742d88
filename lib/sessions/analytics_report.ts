/**
 * The dashboard's analytics report of one organization and mode over 14 or 30 UTC days
 * (docs/dashboard.md "Analytics"): sessions created, succeeded, failed, expired and cancelled per
 * day, the conversion rate, the top failure codes and the median time to complete. Every figure
 * is read from counters kept in the commits that change them (lib/sessions/analytics.ts), never
 * from scanning sessions, so it stays exact and costs a few range reads.
 */
import type { OrgMode } from "../core/org_mode.ts";
import { DURATION_BUCKETS_SECONDS } from "./analytics.ts";
import { sessionKeys } from "./types.ts";

/** Windows the page offers. */
export const REPORT_WINDOWS = [14, 30] as const;

/** A report window in days. */
export type ReportWindow = typeof REPORT_WINDOWS[number];

/** One day of the report. */
export interface ReportDay {
  date: string;
  created: number;
  succeeded: number;
  failed: number;
  expired: number;
  cancelled: number;
}

/** The report. */
export interface AnalyticsReport {
  days: ReportWindow;
  daily: ReportDay[];
  totals: Omit<ReportDay, "date">;
  /** Succeeded ÷ sessions that ended in the window (any outcome); null when none ended. */
  conversionRate: number | null;
  /** Failed attempts by failure code, most frequent first (at most 5). */
  topFailureCodes: Array<{ code: string; count: number }>;
  /** Completed sessions in the window with a known duration. */
  completedTimed: number;
  /** Upper bound (seconds) of the bucket holding the median time to complete; null when none. */
  medianSecondsToComplete: number | null;
}

/** The UTC days of a window ending today, oldest first. */
export function windowDays(now: Date, days: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from(
    { length: days },
    (_, i) => new Date(today - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

async function sumByLastKey(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  days: string[],
  onEntry: (day: string, key: Deno.KvKeyPart, count: number) => void,
): Promise<void> {
  for await (
    const e of kv.list<Deno.KvU64>({
      start: [...prefix, days[0]],
      end: [...prefix, days.at(-1)! + "\uffff"],
    })
  ) {
    onEntry(String(e.key[3]), e.key[4], Number(e.value.value));
  }
}

/** Reads the report of `scope` for the `days` ending with today (UTC). */
export async function getAnalyticsReport(
  kv: Deno.Kv,
  scope: OrgMode,
  now: Date,
  days: ReportWindow,
): Promise<AnalyticsReport> {
  const dates = windowDays(now, days);
  const daily = new Map<string, ReportDay>(
    dates.map((
      date,
    ) => [date, { date, created: 0, succeeded: 0, failed: 0, expired: 0, cancelled: 0 }]),
  );
  await sumByLastKey(kv, sessionKeys.dailyPrefix(scope), dates, (day, metric, count) => {
    const row = daily.get(day);
    if (row && typeof metric === "string" && metric in row && metric !== "date") {
      (row as unknown as Record<string, number>)[metric] = count;
    }
  });
  const codes = new Map<string, number>();
  await sumByLastKey(kv, sessionKeys.failureCodesDailyPrefix(scope), dates, (_day, code, count) => {
    codes.set(String(code), (codes.get(String(code)) ?? 0) + count);
  });
  const buckets = new Map<number, number>();
  await sumByLastKey(kv, sessionKeys.durationsDailyPrefix(scope), dates, (_day, bucket, count) => {
    buckets.set(Number(bucket), (buckets.get(Number(bucket)) ?? 0) + count);
  });
  const rows = [...daily.values()];
  const totals = { created: 0, succeeded: 0, failed: 0, expired: 0, cancelled: 0 };
  for (const row of rows) {
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += row[k];
  }
  const ended = totals.succeeded + totals.failed + totals.expired + totals.cancelled;
  const completedTimed = [...buckets.values()].reduce((a, b) => a + b, 0);
  return {
    days,
    daily: rows,
    totals,
    conversionRate: ended === 0 ? null : totals.succeeded / ended,
    topFailureCodes: [...codes].map(([code, count]) => ({ code, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)).slice(0, 5),
    completedTimed,
    medianSecondsToComplete: medianBucket(buckets, completedTimed),
  };
}

/** The smallest bucket bound at or below which half of the completed sessions finished. */
function medianBucket(buckets: Map<number, number>, total: number): number | null {
  if (total === 0) return null;
  let seen = 0;
  for (const bound of DURATION_BUCKETS_SECONDS) {
    seen += buckets.get(bound) ?? 0;
    if (seen * 2 >= total) return bound;
  }
  return DURATION_BUCKETS_SECONDS.at(-1)!;
}

/** `≤ 1 min 30 s`-style text of a bucket bound. */
export function durationText(seconds: number): string {
  if (seconds >= 86_400) return "over 1 h";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m === 0) return `≤ ${s} s`;
  return s === 0 ? `≤ ${m} min` : `≤ ${m} min ${s} s`;
}
