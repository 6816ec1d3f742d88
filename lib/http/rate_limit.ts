/**
 * Fixed-window rate limiting behind one interface, with two stores: in memory (per instance, for
 * high-volume API traffic) and in KV (shared by instances, for sign-in).
 */
import type { Clock } from "../core/clock.ts";
import { coreKeys } from "../core/kv.ts";

/** The outcome of counting one hit. */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
  remaining: number;
}

/** Counts hits per bucket and id within a window. */
export interface RateLimiter {
  hit(bucket: string, id: string, limit: number, windowMs: number): Promise<RateDecision>;
}

/** In-memory limiter; windows are dropped as they pass. */
export function createMemoryRateLimiter(clock: Clock): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = 0;
  return {
    hit(bucket, id, limit, windowMs) {
      const now = clock.now().getTime();
      if (now - lastSweep > 60_000) {
        for (const [k, w] of windows) if (now - w.start > 3_600_000) windows.delete(k);
        lastSweep = now;
      }
      const start = now - (now % windowMs);
      const key = `${bucket}\u0000${windowMs}\u0000${id}`;
      let w = windows.get(key);
      if (!w || w.start !== start) {
        w = { start, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      return Promise.resolve(decide(w.count, limit, start + windowMs - now));
    },
  };
}

/** KV limiter: one counter per window, incremented atomically, expiring with the window. */
export function createKvRateLimiter(kv: Deno.Kv, clock: Clock): RateLimiter {
  return {
    async hit(bucket, id, limit, windowMs) {
      const now = clock.now().getTime();
      const start = now - (now % windowMs);
      const key = coreKeys.rateLimit(bucket, id, start);
      // Read, then write the next count only if nobody wrote in between (versionstamp check).
      for (let tries = 0; tries < 20; tries++) {
        const entry = await kv.get<number>(key);
        const count = (entry.value ?? 0) + 1;
        const result = await kv.atomic().check(entry).set(key, count, { expireIn: windowMs * 2 })
          .commit();
        if (result.ok) return decide(count, limit, start + windowMs - now);
      }
      return decide(limit + 1, limit, start + windowMs - now);
    },
  };
}

function decide(count: number, limit: number, msLeft: number): RateDecision {
  return {
    allowed: count <= limit,
    retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
    remaining: Math.max(0, limit - count),
  };
}

/**
 * The client address: the socket's, or behind a trusted proxy the last `X-Forwarded-For` entry —
 * the one that proxy appended for the connection it received. Entries before it came with the
 * request, so the client chose them: taking the first would let anyone pick their address and
 * walk past every per-address limit (docs/self-hosting.md, "Behind a proxy").
 */
export function clientAddress(
  headers: Headers,
  remote: string | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim());
    const forwarded = hops.filter(Boolean).at(-1);
    if (forwarded) return forwarded;
  }
  return remote ?? "unknown";
}
