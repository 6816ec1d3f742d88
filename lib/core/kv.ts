/**
 * Opens Deno KV from a location: a file path (directories created), `:memory:` for tests, or an
 * `http(s)://` URL of a KV Connect server (self-hosted denokv; the access token comes from
 * `DENO_KV_ACCESS_TOKEN`, read by the runtime).
 */
import { dirname } from "node:path";
import { retryWhenBusy } from "./kv_busy.ts";

/**
 * Opens the KV database at `location`. A file may be shared by several processes: its handle
 * retries operations that find the file locked by another writer (`kv_busy.ts`).
 */
export async function openKv(location: string): Promise<Deno.Kv> {
  if (location === ":memory:" || /^https?:\/\//.test(location)) {
    return await Deno.openKv(location);
  }
  await Deno.mkdir(dirname(location), { recursive: true });
  return retryWhenBusy(await Deno.openKv(location));
}

/** True when the location is a remote KV Connect server (no KV queues there). */
export function isRemoteKv(location: string): boolean {
  return /^https?:\/\//.test(location);
}

/**
 * The KV keys of the platform's own records (leases, instance heartbeats, migrations, the server
 * key's fingerprint, the health probe, shared rate limits, idempotency records). Each product
 * aggregate has its keys object next to its records (ARCHITECTURE.md, "Data-layer convention").
 */
export const coreKeys = {
  /** `{ holder, expiresAt }` of a named lease (`lease.ts`, `lib/jobs/scheduled.ts`). */
  lease: (name: string) => ["leases", name] as const,
  /** An instance's heartbeat (`instances.ts`). */
  instance: (id: string) => ["instances", id] as const,
  /** Set once a migration finished (`lib/migrations/mod.ts`). */
  migration: (name: string) => ["migrations", name] as const,
  serverKeyFingerprint: () => ["server_key_fingerprint"] as const,
  healthProbe: () => ["health_probe"] as const,
  /** One window's count of a shared rate limit (`lib/http/rate_limit.ts`). */
  rateLimit: (bucket: string, id: string, windowStartMs: number) =>
    ["rate_limits", bucket, id, windowStartMs] as const,
  /** A replayable response (`lib/http/idempotency.ts`). */
  idempotency: (orgId: string, mode: string, keyHash: string) =>
    ["idempotency", orgId, mode, keyHash] as const,
  idempotencyPrefix: () => ["idempotency"] as const,
};

/** Deletes every entry under a prefix in batches (tests and retention). */
export async function deleteByPrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let count = 0;
  let op = kv.atomic();
  let batched = 0;
  for await (const entry of kv.list({ prefix })) {
    op.delete(entry.key);
    count++;
    if (++batched === 500) {
      await op.commit();
      op = kv.atomic();
      batched = 0;
    }
  }
  if (batched) await op.commit();
  return count;
}

/** The most keys one `kv.getMany` call reads (a Deno KV limit). */
export const GET_MANY_LIMIT = 10;

/**
 * Reads any number of keys, {@link GET_MANY_LIMIT} per `getMany` call: one entry per key, in the
 * order of `keys` (a missing key's entry has a null value and versionstamp).
 */
export async function getManyEntries<T>(
  kv: Deno.Kv,
  keys: readonly Deno.KvKey[],
): Promise<Deno.KvEntryMaybe<T>[]> {
  const out: Deno.KvEntryMaybe<T>[] = [];
  for (let i = 0; i < keys.length; i += GET_MANY_LIMIT) {
    out.push(...await kv.getMany<T[]>(keys.slice(i, i + GET_MANY_LIMIT)));
  }
  return out;
}

/** The values of the keys that exist, in the order of `keys` (missing ones skipped). */
export async function getManyValues<T>(kv: Deno.Kv, keys: readonly Deno.KvKey[]): Promise<T[]> {
  const out: T[] = [];
  for (const entry of await getManyEntries<T>(kv, keys)) {
    if (entry.value !== null) out.push(entry.value);
  }
  return out;
}
