/**
 * What every request can reach: configuration, KV, clock, randomness, derived keys, the logger
 * and the per-instance services. Built once in `main.ts` (or per test) and put on the context.
 */
import type { Config } from "./core/config.ts";
import type { Clock } from "./core/clock.ts";
import type { RandomSource } from "./core/random.ts";
import type { ServerKeys } from "./core/keys.ts";
import type { Logger } from "./core/logger.ts";
import type { RateLimiter } from "./http/rate_limit.ts";
import type { UsageRecorder } from "./api_keys/usage.ts";

/** Injected dependencies of the app. */
export interface AppDeps {
  config: Config;
  kv: Deno.Kv;
  clock: Clock;
  random: RandomSource;
  keys: ServerKeys;
  logger: Logger;
  /** Limits for high-volume callers (API keys, public endpoints); per instance. */
  limiter: RateLimiter;
  /** Limits that must hold across instances (sign-in); stored in KV. */
  sharedLimiter: RateLimiter;
  /** Batches API-key usage (last used, request count) into KV. */
  usage: UsageRecorder;
  /** Services added by later layers (sessions, webhooks, verification) by name. */
  services: Record<string, unknown>;
}
