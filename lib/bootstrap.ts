/**
 * Assembles the app's dependencies from configuration (for `main.ts`, the admin command line and
 * tests), so every entry point wires the same things the same way.
 */
import type { Config } from "./core/config.ts";
import { type Clock, systemClock } from "./core/clock.ts";
import { cryptoRandom, type RandomSource } from "./core/random.ts";
import { createServerKeys } from "./core/keys.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import { openKv } from "./core/kv.ts";
import { loadServerKey } from "./core/server_key.ts";
import { createKvRateLimiter, createMemoryRateLimiter } from "./http/rate_limit.ts";
import { createUsageRecorder } from "./api_keys/usage.ts";
import type { AppDeps } from "./deps.ts";

/** Options overriding the real clock, randomness, logger or KV. */
export interface DepsOverrides {
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  kv?: Deno.Kv;
  /** Usage flush interval; 0 disables the timer (tests flush by hand). */
  usageFlushMs?: number;
}

/** Opens KV, loads the server key and builds every shared service. */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<AppDeps> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const logger = overrides.logger ??
    createLogger({ level: config.logLevel, now: () => clock.now() });
  const kv = overrides.kv ?? await openKv(config.kvPath);
  const serverKey = await loadServerKey(config, random);
  if (serverKey.generated) logger.info("server_key.generated", { path: serverKey.path });
  return {
    config,
    kv,
    clock,
    random,
    keys: await createServerKeys(serverKey.key, random),
    logger,
    limiter: createMemoryRateLimiter(clock),
    sharedLimiter: createKvRateLimiter(kv, clock),
    usage: createUsageRecorder(kv, clock, overrides.usageFlushMs ?? 2000),
    services: {},
  };
}
