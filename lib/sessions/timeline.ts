/**
 * The dashboard's timeline of a session: its creation, each attempt's start, claim and end, and
 * each event (with its scrubbed data: codes and reasons, never claims), oldest first.
 */
import type { EventRecord } from "../events/events.ts";
import type { AttemptRecord, SessionRecord } from "./types.ts";

/** One line of the timeline. */
export interface TimelineEntry {
  at: string;
  kind: "session" | "attempt" | "event";
  label: string;
}

/** Builds the timeline, oldest first (events after the state lines of the same instant). */
export function buildTimeline(
  session: SessionRecord,
  attempts: AttemptRecord[],
  events: EventRecord[],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [{
    at: session.createdAt,
    kind: "session",
    label: "Session created",
  }];
  for (const a of attempts) {
    const short = a.id.slice(0, 11) + "…";
    entries.push({ at: a.createdAt, kind: "attempt", label: `Attempt ${short} started (handoff)` });
    if (a.claimedAt) {
      entries.push({
        at: a.claimedAt,
        kind: "attempt",
        label: `Attempt ${short} claimed by a phone`,
      });
    }
    if (a.completedAt) {
      const code = a.failureCode ? ` (${a.failureCode})` : "";
      entries.push({
        at: a.completedAt,
        kind: "attempt",
        label: `Attempt ${short} ${a.status}${code}`,
      });
    }
  }
  for (const e of events) {
    entries.push({ at: e.createdAt, kind: "event", label: `Event ${e.type}${describe(e)}` });
  }
  const order = { session: 0, attempt: 1, event: 2 };
  return entries.sort((x, y) => x.at.localeCompare(y.at) || order[x.kind] - order[y.kind]);
}

function describe(event: EventRecord): string {
  const parts = Object.entries(event.data)
    .filter(([, v]) => typeof v === "string" || typeof v === "number")
    .map(([k, v]) => `${k}: ${v}`);
  return parts.length ? ` — ${parts.join(", ")}` : "";
}
