/**
 * KV leases: a named lease held by one instance until it expires, so scheduled work (expiry
 * sweep, retention, payload scrub) never runs twice at once across instances.
 * Key: `["leases", name]` → `{ holder, expiresAt }`.
 */
import type { Clock } from "./clock.ts";
import { coreKeys } from "./kv.ts";

/** A stored lease. */
export interface Lease {
  holder: string;
  expiresAt: number;
}

/** Takes the lease when free or expired (or already ours); true when this holder now has it. */
export async function acquireLease(
  kv: Deno.Kv,
  name: string,
  holder: string,
  ttlMs: number,
  clock: Clock,
): Promise<boolean> {
  const key = coreKeys.lease(name);
  const entry = await kv.get<Lease>(key);
  const now = clock.now().getTime();
  if (entry.value && entry.value.holder !== holder && entry.value.expiresAt > now) return false;
  const result = await kv.atomic().check(entry)
    .set(key, { holder, expiresAt: now + ttlMs }, { expireIn: ttlMs })
    .commit();
  return result.ok;
}

/** Releases the lease if this holder has it. */
export async function releaseLease(kv: Deno.Kv, name: string, holder: string): Promise<void> {
  const key = coreKeys.lease(name);
  const entry = await kv.get<Lease>(key);
  if (entry.value?.holder === holder) await kv.atomic().check(entry).delete(key).commit();
}

/** Runs `work` only while holding the lease; returns whether it ran. */
export async function withLease(
  kv: Deno.Kv,
  name: string,
  holder: string,
  ttlMs: number,
  clock: Clock,
  work: () => Promise<void>,
): Promise<boolean> {
  if (!await acquireLease(kv, name, holder, ttlMs, clock)) return false;
  try {
    await work();
  } finally {
    await releaseLease(kv, name, holder);
  }
  return true;
}
