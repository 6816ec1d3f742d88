/**
 * Migration: list indexes keyed by organization AND mode (docs/api.md, "Test and live").
 *
 * Before it, the indexes were `[…_by_org, orgId, …]` and lists filtered both modes' history in
 * memory; analytics counted both modes together; idempotency records were per organization only.
 * This rewrites every index entry written the old way to `[…_by_org, orgId, mode, …]` (the mode
 * read from the record), copies the session's mode onto old attempts, rebuilds the analytics
 * counters per mode from the sessions still stored (sessions deleted by retention before the
 * upgrade can no longer be attributed to a mode, so their counts are dropped), and drops the old
 * idempotency records (they could replay across modes; they lived 24 hours anyway).
 *
 * Old and new entries share a key prefix and differ in length, which is how old ones are found.
 * The old layouts are spelled out here on purpose (they no longer change); the new entries are
 * built with the aggregates' keys objects.
 * Every step is idempotent, so a run that stopped half-way is simply run again.
 */
import type { AppDeps } from "../deps.ts";
import type { KeyMode } from "../api_keys/api_keys.ts";
import type { AttemptRecord, SessionRecord, SessionStatus } from "../sessions/types.ts";
import { isTerminal, sessionKeys } from "../sessions/types.ts";
import { eventKeys } from "../events/events.ts";
import { webhookKeys } from "../../webhooks/model.ts";
import { coreKeys } from "../core/kv.ts";

/** What one run changed, per step. */
export interface ModeIndexReport {
  sessions: number;
  sessionStatuses: number;
  attempts: number;
  events: number;
  deliveries: number;
  endpoints: number;
  idempotency: number;
  counterOrgs: number;
}

type Record_ = { orgId: string; mode: KeyMode; createdAt: string };

/**
 * Rewrites the old entries of one index: `oldLength` tells them apart, `recordKey` names the
 * record an entry points to, `newKey` builds the new entry from it (null: drop the entry).
 */
async function rewriteIndex<T>(
  kv: Deno.Kv,
  prefix: string,
  oldLength: number,
  recordKey: (entry: Deno.KvEntry<string>) => Deno.KvKey,
  newKey: (entry: Deno.KvEntry<string>, record: T) => Deno.KvKey | null,
): Promise<number> {
  let changed = 0;
  for await (const entry of kv.list<string>({ prefix: [prefix] })) {
    if (entry.key.length !== oldLength) continue;
    const record = await kv.get<T>(recordKey(entry));
    const op = kv.atomic().check(entry).check(record).delete(entry.key);
    const key = record.value ? newKey(entry, record.value) : null;
    if (key) op.set(key, entry.value);
    if ((await op.commit()).ok) changed++;
  }
  return changed;
}

async function migrateAttempts(kv: Deno.Kv): Promise<number> {
  let changed = 0;
  for await (const entry of kv.list<string>({ prefix: ["attempts_by_org"] })) {
    if (entry.key.length !== 4) continue;
    const attempt = await kv.get<AttemptRecord>(sessionKeys.attempt(entry.value));
    const session = attempt.value
      ? await kv.get<SessionRecord>(sessionKeys.session(attempt.value.sessionId))
      : null;
    const mode = attempt.value?.mode ?? session?.value?.mode;
    const op = kv.atomic().check(entry).check(attempt).delete(entry.key);
    if (attempt.value && mode) {
      const withMode: AttemptRecord = { ...attempt.value, mode };
      op.set(attempt.key, withMode).set(sessionKeys.attemptByOrg(withMode), entry.value);
    }
    if ((await op.commit()).ok) changed++;
  }
  return changed;
}

/** Rebuilds the per-mode counters of the organizations that still have old ones. */
async function rebuildCounters(kv: Deno.Kv): Promise<number> {
  const oldKeys = new Map<string, Deno.KvKey[]>();
  for (const [prefix, oldLength] of [["session_counters", 3], ["session_daily", 4]] as const) {
    for await (const e of kv.list({ prefix: [prefix] })) {
      if (e.key.length !== oldLength) continue;
      const orgId = String(e.key[1]);
      oldKeys.set(orgId, [...(oldKeys.get(orgId) ?? []), e.key]);
    }
  }
  if (oldKeys.size === 0) return 0;
  const counts = new Map<string, bigint>();
  const add = (key: Deno.KvKey) => {
    const k = JSON.stringify(key);
    counts.set(k, (counts.get(k) ?? 0n) + 1n);
  };
  for await (const e of kv.list<SessionRecord>({ prefix: sessionKeys.allSessionsPrefix() })) {
    const s = e.value;
    if (!oldKeys.has(s.orgId)) continue;
    const total = sessionKeys.countersPrefix(s);
    const daily = (at: string, metric: string) =>
      add(sessionKeys.daily(s, at.slice(0, 10), metric));
    add([...total, "created_total"]);
    daily(s.createdAt, "created");
    // Current counts are differences of monotonic counters (lib/sessions/analytics.ts); counting
    // an in-progress session as claimed and an ended one as ended from `created` keeps them exact.
    if (s.status === "in_progress") add([...total, "claimed"]);
    if (!isTerminal(s.status)) continue;
    add([...total, "ended_from_created"]);
    add([...total, s.status]);
    const metric = s.status === "completed" ? (s.outcome ?? "failed") : s.status;
    if (s.status === "completed") add([...total, metric]);
    daily(s.completedAt ?? s.updatedAt, metric);
  }
  const writes = [...counts].map(([k, n]) => [JSON.parse(k) as Deno.KvKey, n] as const);
  for (let i = 0; i < writes.length; i += 500) {
    const op = kv.atomic();
    for (const [key, n] of writes.slice(i, i + 500)) op.set(key, new Deno.KvU64(n));
    await op.commit();
  }
  const deletes = [...oldKeys.values()].flat();
  for (let i = 0; i < deletes.length; i += 500) {
    const op = kv.atomic();
    for (const key of deletes.slice(i, i + 500)) op.delete(key);
    await op.commit();
  }
  return oldKeys.size;
}

/** Runs every step once over the whole KV; safe to run again. */
export async function migrateModeIndexes(deps: Pick<AppDeps, "kv">): Promise<ModeIndexReport> {
  const kv = deps.kv;
  const ms = (r: Record_) => Date.parse(r.createdAt);
  const sessions = await rewriteIndex<SessionRecord>(
    kv,
    "sessions_by_org",
    4,
    (e) => sessionKeys.session(e.value),
    (_, s) => sessionKeys.byOrg(s),
  );
  const sessionStatuses = await rewriteIndex<SessionRecord>(
    kv,
    "sessions_by_org_status",
    5,
    (e) => sessionKeys.session(e.value),
    // The entry keeps the status it was filed under (the record's, unless a write raced it).
    (e, s) => [...sessionKeys.byOrgStatusPrefix(s, e.key[2] as SessionStatus), ms(s), s.id],
  );
  const attempts = await migrateAttempts(kv);
  const events = await rewriteIndex<Record_>(
    kv,
    "events_by_org",
    4,
    (e) => eventKeys.event(e.value),
    (e, r) => [...eventKeys.byOrgPrefix(r), e.key[2], e.value],
  );
  const deliveries = await rewriteIndex<Record_>(
    kv,
    "webhook_deliveries_by_org",
    4,
    (e) => webhookKeys.delivery(e.value),
    (e, r) => [...webhookKeys.deliveriesByOrgPrefix(r), ms(r), e.value],
  );
  const endpoints = await rewriteIndex<Record_>(
    kv,
    "webhook_endpoints_by_org",
    3,
    (e) => webhookKeys.endpoint(e.value),
    (e, r) => webhookKeys.endpointByOrg(r, e.value),
  );
  let idempotency = 0;
  for await (const e of kv.list({ prefix: coreKeys.idempotencyPrefix() })) {
    if (e.key.length !== 3) continue;
    await kv.delete(e.key);
    idempotency++;
  }
  const counterOrgs = await rebuildCounters(kv);
  return {
    sessions,
    sessionStatuses,
    attempts,
    events,
    deliveries,
    endpoints,
    idempotency,
    counterOrgs,
  };
}
