/**
 * The API key lookups of one instance, kept for one second (docs/api.md "Authentication"): every
 * authenticated request would otherwise read its key from KV before doing its own work, which
 * doubles the reads of a `GET`. A key disabled, re-enabled or deleted through this instance is
 * forgotten here at once; through another instance sharing the KV it takes effect here within
 * {@link API_KEY_CACHE_MS}. Unknown secrets are never cached (a new key works at once), and the
 * cache holds keyed hashes and records, never a secret.
 */
import type { Clock } from "../core/clock.ts";
import type { ApiKeyRecord } from "./api_keys.ts";

/** How long a looked-up key is trusted without reading KV again. */
export const API_KEY_CACHE_MS = 1_000;
/** Entries kept at most: past this, the oldest half is dropped. */
const MAX_ENTRIES = 10_000;

interface Cached {
  record: ApiKeyRecord;
  until: number;
}

/** One instance's cache of key lookups by keyed hash. */
export class ApiKeyCache {
  readonly #entries = new Map<string, Cached>();

  constructor(private readonly clock: Clock) {}

  /** The record looked up under `hash` less than a second ago, if any. */
  get(hash: string): ApiKeyRecord | null {
    const cached = this.#entries.get(hash);
    if (!cached) return null;
    if (cached.until <= this.clock.now().getTime()) {
      this.#entries.delete(hash);
      return null;
    }
    return cached.record;
  }

  /** Remembers a record read from KV. */
  set(hash: string, record: ApiKeyRecord): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      let drop = MAX_ENTRIES / 2;
      for (const key of this.#entries.keys()) {
        this.#entries.delete(key);
        if (--drop === 0) break;
      }
    }
    this.#entries.set(hash, { record, until: this.clock.now().getTime() + API_KEY_CACHE_MS });
  }

  /** Forgets a key this instance changed. */
  forget(hash: string): void {
    this.#entries.delete(hash);
  }
}

const caches = new WeakMap<Deno.Kv, ApiKeyCache>();

/** The cache of the instance that uses this KV handle. */
export function apiKeyCacheOf(kv: Deno.Kv, clock: Clock): ApiKeyCache {
  let cache = caches.get(kv);
  if (!cache) {
    cache = new ApiKeyCache(clock);
    caches.set(kv, cache);
  }
  return cache;
}

/** Drops a key this instance changed from its cache (other instances: within a second). */
export function forgetCachedKey(kv: Deno.Kv, secretHash: string): void {
  caches.get(kv)?.forget(secretHash);
}
