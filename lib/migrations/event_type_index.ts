/**
 * Migration: the type-filtered event list reads `["events_by_org_type", orgId, mode, type, ms, id]`
 * (docs/performance.md, "Lists read one page"). Events written before it have no such entry: this
 * writes one for every stored event, in commits of {@link BATCH} entries (KV allows 1 000
 * mutations and 800 KiB per commit; an index entry is well under 200 bytes). Setting an entry
 * that exists is harmless, so a run that stopped half-way is simply run again.
 */
import type { AppDeps } from "../deps.ts";
import { eventKeys, type EventRecord } from "../events/events.ts";

/** Index entries written per commit. */
export const BATCH = 500;

/** Writes the missing type index entries; returns how many events it indexed. */
export async function migrateEventTypeIndex(deps: AppDeps): Promise<{ events: number }> {
  let events = 0;
  let op = deps.kv.atomic();
  let pending = 0;
  for await (
    const entry of deps.kv.list<EventRecord>({ prefix: eventKeys.allPrefix() }, { batchSize: 500 })
  ) {
    const e = entry.value;
    if (!e?.orgId || !e.mode || !e.type) continue;
    op.set(eventKeys.byOrgType(e), e.id);
    events++;
    if (++pending === BATCH) {
      await op.commit();
      op = deps.kv.atomic();
      pending = 0;
    }
  }
  if (pending) await op.commit();
  return { events };
}
