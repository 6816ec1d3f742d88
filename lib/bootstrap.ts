/**
 * Assembles the app's dependencies from configuration (for `main.ts`, the admin command line and
 * tests), so every entry point wires the same things the same way.
 */
import type { Config } from "./core/config.ts";
import { type Clock, systemClock } from "./core/clock.ts";
import { cryptoRandom, type RandomSource } from "./core/random.ts";
import { createServerKeys } from "./core/keys.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import { loadServerKey } from "./core/server_key.ts";
import {
  asStartupRefusal,
  checkServerKeyFingerprint,
  openCheckedKv,
  refuseMissingKeyFile,
} from "./core/startup_checks.ts";
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

/**
 * Opens KV, loads the server key and builds every shared service. Throws `StartupRefused`
 * (exit 2) when the KV files or the server key would lose data (lib/core/startup_checks.ts).
 */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<AppDeps> {
  const clock = overrides.clock ?? systemClock;
  const random = overrides.random ?? cryptoRandom;
  const logger = overrides.logger ??
    createLogger({ level: config.logLevel, now: () => clock.now() });
  const kv = overrides.kv ?? await openCheckedKv(config);
  let keys;
  try {
    await refuseMissingKeyFile(kv, config);
    const serverKey = await loadServerKey(config, random);
    if (serverKey.generated) logger.info("server_key.generated", { path: serverKey.path });
    keys = await createServerKeys(serverKey.key, random);
    const fingerprint = await checkServerKeyFingerprint(kv, keys, config, clock.now());
    if (fingerprint === "recorded") logger.info("server_key.fingerprint_recorded", {});
  } catch (error) {
    if (!overrides.kv) kv.close();
    throw asStartupRefusal(error, config) ?? error;
  }
  return {
    config,
    kv,
    clock,
    random,
    keys,
    logger,
    limiter: createMemoryRateLimiter(clock),
    sharedLimiter: createKvRateLimiter(kv, clock),
    usage: createUsageRecorder(kv, clock, overrides.usageFlushMs ?? 2000),
    services: {},
  };
}
