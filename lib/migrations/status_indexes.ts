/**
 * Migration: the filtered lists of attempts and deliveries read their own indexes
 * (docs/performance.md, "Lists read one page"): `["attempts_by_org_status", orgId, mode, status,
 * ms, id]`, `["webhook_deliveries_by_status", orgId, mode, status, ms, id]` and
 * `["webhook_deliveries_by_endpoint", orgId, mode, endpointId, ms, id]`. Records written before
 * them have no such entries: this writes them for every stored attempt and delivery.
 *
 * A status entry must name the record's current status, and a status can change while this runs
 * (another instance already on this version moves the entry with it): each record's entries are
 * committed with a check of the record as read, {@link BATCH} records per commit (inside KV's
 * 100 checks and 1 000 mutations); a commit that fails a check is redone record by record, each
 * read again. Setting an entry that exists is harmless, so a run that stopped half-way is simply
 * run again.
 */
import type { AppDeps } from "../deps.ts";
import { type AttemptRecord, sessionKeys } from "../sessions/types.ts";
import { type DeliveryRecord, webhookKeys } from "../../webhooks/model.ts";

/** Records per commit (one check each: KV allows 100; at most two entries each). */
export const BATCH = 100;

type Entries<T> = (record: T) => Deno.KvKey[];

// Writes the entries of every record under `prefix`; returns how many records were indexed.
async function backfill<T extends { id: string }>(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  entries: Entries<T>,
): Promise<number> {
  let count = 0;
  let batch: Deno.KvEntry<T>[] = [];
  const flush = async () => {
    const op = kv.atomic();
    for (const entry of batch) add(op, entry, entries);
    if (!(await op.commit()).ok) {
      for (const entry of batch) await one(kv, entry.key, entries);
    }
    batch = [];
  };
  for await (const entry of kv.list<T>({ prefix }, { batchSize: 500 })) {
    if (entries(entry.value).length === 0) continue;
    batch.push(entry);
    count++;
    if (batch.length === BATCH) await flush();
  }
  if (batch.length) await flush();
  return count;
}

function add<T extends { id: string }>(
  op: Deno.AtomicOperation,
  entry: Deno.KvEntry<T>,
  entries: Entries<T>,
): void {
  op.check(entry);
  for (const key of entries(entry.value)) op.set(key, entry.value.id);
}

// One record, read again until its entries are committed against what was read.
async function one<T extends { id: string }>(
  kv: Deno.Kv,
  key: Deno.KvKey,
  entries: Entries<T>,
): Promise<void> {
  for (;;) {
    const entry = await kv.get<T>(key);
    if (entry.value === null) return;
    const op = kv.atomic();
    add(op, entry as Deno.KvEntry<T>, entries);
    if ((await op.commit()).ok) return;
  }
}

const attemptEntries: Entries<AttemptRecord> = (a) =>
  a?.orgId && a.mode && a.status
    ? [sessionKeys.attemptByOrgStatus(a) as unknown as Deno.KvKey]
    : [];

const deliveryEntries: Entries<DeliveryRecord> = (d) =>
  d?.orgId && d.mode && d.status && d.endpointId
    ? [webhookKeys.deliveryByStatus(d), webhookKeys.deliveryByEndpoint(d)]
    : [];

/** Writes the missing status and endpoint index entries; returns the counts. */
export async function migrateStatusIndexes(
  deps: AppDeps,
): Promise<{ attempts: number; deliveries: number }> {
  return {
    attempts: await backfill(deps.kv, sessionKeys.allAttemptsPrefix(), attemptEntries),
    deliveries: await backfill(deps.kv, webhookKeys.allDeliveriesPrefix(), deliveryEntries),
  };
}
