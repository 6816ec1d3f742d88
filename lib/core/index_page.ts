/**
 * One page of a newest-first list read from a KV index (docs/performance.md, "Lists read one
 * page"): the index is listed in reverse from the cursor's own index key with a KV cursor, the
 * records are fetched ten at a time (`getManyEntries`, kv.ts) and the read stops as soon as
 * `limit + 1` matches are known. The cost of a page does not depend on how long the history is.
 *
 * An index entry holds the record's id, or — in an index of records that never change (events) —
 * the record itself, so that a page is one range read with nothing else to fetch.
 *
 * A filter that is not part of the index key (`match`) reads on until enough matches are found, so
 * its cost is bounded by the distance to the matches, never by the whole history when matches are
 * near.
 */
import { getManyEntries } from "./kv.ts";

/** The id an index entry names: its value is the id, or the record itself. */
export function idOf(value: string | { id: string }): string {
  return typeof value === "string" ? value : value.id;
}

/** A page of a list. */
export interface IndexPage<T> {
  items: T[];
  hasMore: boolean;
}

/** What {@link readIndexPage} reads: `T` is what an entry holds, `R` the record an id names. */
export interface IndexPageQuery<T, R = T> {
  /**
   * The index prefix; entries under it hold the record id, or the record itself (see above): a
   * string value is an id, any other value is the record.
   */
  prefix: Deno.KvKey;
  /** Exclusive upper bound (the cursor item's own index key), or none for the newest page. */
  before?: Deno.KvKey | null;
  /** Inclusive lower bound (e.g. a creation-date filter). */
  from?: Deno.KvKey | null;
  limit: number;
  /** The record key of an id. */
  recordKey: (id: string) => Deno.KvKey;
  /** What an entry would hold, made from the record an id names (default: the record). */
  fromRecord?: (record: R) => T;
  /** Keeps a record (filters outside the index key). */
  match?: (record: T) => boolean;
}

/** Reads one page of a newest-first index. */
export async function readIndexPage<T, R = T>(
  kv: Deno.Kv,
  query: IndexPageQuery<T, R>,
): Promise<IndexPage<T>> {
  const { prefix, before, from, limit } = query;
  const selector: Deno.KvListSelector = from && before
    ? { start: from, end: before }
    : before
    ? { prefix, end: before }
    : from
    ? { prefix, start: from }
    : { prefix };
  const want = limit + 1;
  const filtered = query.match !== undefined;
  const items: T[] = [];
  let values: Array<string | T> = [];
  let batch = want;
  const flush = async () => {
    const ids = values.filter((v): v is string => typeof v === "string");
    const fetched = ids.length ? await getManyEntries<R>(kv, ids.map(query.recordKey)) : [];
    const fromRecord = query.fromRecord ?? ((record: R) => record as unknown as T);
    let next = 0;
    for (const value of values) {
      let item: T | null;
      if (typeof value === "string") {
        // An id whose record is gone (deleted meanwhile) is skipped.
        const record = fetched[next++].value;
        item = record === null ? null : fromRecord(record);
      } else {
        item = value;
      }
      if (item !== null && (!query.match || query.match(item))) items.push(item);
    }
    values = [];
  };
  // One page of entries; with a filter, further batches (each twice the last, up to 200) from
  // where the last one ended while matches are sparse. Entries hold records, so no batch reads
  // more than it may need.
  let cursor: string | undefined;
  for (;;) {
    const iter = kv.list<string | T>(selector, {
      reverse: true,
      limit: batch,
      batchSize: batch,
      cursor,
    });
    let read = 0;
    for await (const entry of iter) {
      values.push(entry.value);
      read++;
    }
    await flush();
    if (!filtered || items.length >= want || read < batch) break;
    cursor = iter.cursor;
    batch = Math.min(batch * 2, 200);
  }
  return { items: items.slice(0, limit), hasMore: items.length > limit };
}
