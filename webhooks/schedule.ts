/**
 * The retry schedule of docs/webhooks.md: 8 tries — immediately, then after 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h and 10 h — each wait stretched or shrunk by up to 10 % from the injected random
 * source, so receivers recovering from an outage are not hit by every retry at once.
 */
import type { RandomSource } from "../lib/core/random.ts";

/** Wait before try n+1 (index n), in ms; index 0 is the first, immediate try. */
export const RETRY_SCHEDULE_MS = [
  0,
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
  10 * 3600_000,
] as const;

/** Automatic tries per delivery. */
export const MAX_SCHEDULED_TRIES = RETRY_SCHEDULE_MS.length;

/** Largest relative jitter applied to a wait. */
export const JITTER_RATIO = 0.1;

/** A uniform number in [0, 1) from the random source. */
export function uniform(random: RandomSource): number {
  const [a, b, c, d] = random.bytes(4);
  return (((a << 24) >>> 0) + (b << 16) + (c << 8) + d) / 2 ** 32;
}

/**
 * The wait (ms) after `triesMade` automatic tries before the next one, or null when the
 * schedule is exhausted.
 */
export function nextTryDelayMs(triesMade: number, random: RandomSource): number | null {
  if (triesMade >= MAX_SCHEDULED_TRIES) return null;
  const base = RETRY_SCHEDULE_MS[triesMade];
  const factor = 1 - JITTER_RATIO + 2 * JITTER_RATIO * uniform(random);
  return Math.round(base * factor);
}
