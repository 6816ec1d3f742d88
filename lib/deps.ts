/**
 * What every request can reach: configuration, KV, clock, randomness, derived keys, the logger
 * and the per-instance services. Built once in `main.ts` (or per test) and put on the context.
 */
import type { Config } from "./core/config.ts";
import type { Clock } from "./core/clock.ts";
import type { RandomSource } from "./core/random.ts";
import type { ServerKeys } from "./core/keys.ts";
import type { Logger } from "./core/logger.ts";
import type { ActivityMeter } from "./core/memory_release.ts";
import type { RateLimiter } from "./http/rate_limit.ts";
import type { UsageRecorder } from "./api_keys/usage.ts";
import type { EventFanout } from "./events/events.ts";
import type { WebhookEndpointLookup } from "./sessions/sessions.ts";
import type { JobQueue } from "./jobs/types.ts";
import type { HandoffServices } from "./handoff/services.ts";
import type { BiometricVerifier } from "../verify/biometric/mod.ts";
import type { WebhookRuntime } from "../webhooks/runtime.ts";

/**
 * The per-instance services, wired by the composition root (`lib/platform.ts`). Nothing installs
 * itself by being imported: a field left unset means the platform runs without that part.
 */
export interface PlatformServices {
  /** Adds an event's webhook deliveries to its commit; unset when the platform has no webhooks. */
  eventFanout?: EventFanout;
  /**
   * Tells whether `webhook_endpoint_id` names an endpoint of the organization and mode; unset
   * when the platform has no webhooks (then naming one is refused with `WEBHOOKS_DISABLED`).
   */
  webhookEndpoints?: WebhookEndpointLookup;
  /** The job queue (`lib/jobs/mod.ts`), created on first use. */
  jobs?: JobQueue;
  /** The webhooks layer's per-instance state (`webhooks/runtime.ts`), created on first use. */
  webhooks?: WebhookRuntime;
  /** The phone protocol's services (`lib/handoff/services.ts`), created on first use. */
  handoff?: HandoffServices;
  /** The biometric verifier, loading or loaded (`lib/handoff/services.ts`). */
  biometric?: Promise<BiometricVerifier | null>;
  /** This instance's id (its heartbeat's and its claims'; `lib/core/instances.ts`). */
  instanceId?: string;
  /** URL path of the islands bundle (content-hashed after a build, `lib/framework/manifest.ts`). */
  islandsBundle?: string;
  /** Requests and phone frames, counted for the memory release (`lib/core/memory_release.ts`). */
  activity?: ActivityMeter;
  /** Waits a sign-in slow-down (tests record it instead of waiting). */
  signInSleep?: (ms: number) => Promise<void>;
}

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
  /** The per-instance services the composition root wires. */
  services: PlatformServices;
}
