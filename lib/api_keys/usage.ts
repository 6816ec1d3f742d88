/**
 * API-key usage (last used time, request count), counted in memory and flushed to KV in
 * batches so that authenticated requests do not each pay a KV write.
 * Keys: `["api_key_usage", id]` → `{ lastUsedAt, count }`.
 */
import type { Clock } from "../core/clock.ts";
import { apiKeyKeys } from "./api_keys.ts";

/** Stored usage of one key. */
export interface ApiKeyUsage {
  lastUsedAt: string | null;
  requestCount: number;
}

/** Counts usage and writes it to KV. */
export interface UsageRecorder {
  record(keyId: string): void;
  /** Writes pending counts (also called on an interval and at shutdown). */
  flush(): Promise<void>;
  /** Stops the interval. */
  close(): Promise<void>;
}

/** Creates a recorder; flushes every `intervalMs` when > 0. */
export function createUsageRecorder(kv: Deno.Kv, clock: Clock, intervalMs = 2000): UsageRecorder {
  let pending = new Map<string, { count: number; last: string }>();
  const timer = intervalMs > 0 ? setInterval(() => void flush().catch(() => {}), intervalMs) : null;
  if (timer) Deno.unrefTimer(timer);
  async function flush() {
    const batch = pending;
    pending = new Map();
    for (const [id, { count, last }] of batch) {
      for (let tries = 0; tries < 10; tries++) {
        const entry = await kv.get<ApiKeyUsage>(apiKeyKeys.usage(id));
        const next: ApiKeyUsage = {
          lastUsedAt: last,
          requestCount: (entry.value?.requestCount ?? 0) + count,
        };
        if ((await kv.atomic().check(entry).set(apiKeyKeys.usage(id), next).commit()).ok) break;
      }
    }
  }
  return {
    record(keyId) {
      const current = pending.get(keyId);
      pending.set(keyId, { count: (current?.count ?? 0) + 1, last: clock.now().toISOString() });
    },
    flush,
    async close() {
      if (timer) clearInterval(timer);
      await flush();
    },
  };
}

/** Reads a key's usage. */
export async function getApiKeyUsage(kv: Deno.Kv, keyId: string): Promise<ApiKeyUsage> {
  return (await kv.get<ApiKeyUsage>(apiKeyKeys.usage(keyId))).value ??
    { lastUsedAt: null, requestCount: 0 };
}
