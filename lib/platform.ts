/**
 * The composition root: the one place where the layers are put together. `main.ts`, the test
 * harness, the scripts and the benches create the platform here; no module changes behaviour by
 * being imported.
 *
 * What it wires, and where to read on:
 * - the dependencies (`lib/bootstrap.ts`: config, KV, clock, keys, logger, limiters);
 * - with webhooks (the default), `wireWebhooks` (`webhooks/register.ts`): the event fan-out that
 *   adds one delivery per subscribed endpoint to the commit of each event
 *   (`lib/events/events.ts` → `webhooks/fanout.ts`), the lookup that checks a session's
 *   `webhook_endpoint_id`, and the handler of the `webhook.delivery` job (`webhooks/worker.ts`);
 *   without webhooks, naming or creating an endpoint is refused with `409 WEBHOOKS_DISABLED`;
 * - the background work, in start order: the instance's heartbeat (`lib/core/instances.ts`), the
 *   webhook worker (job queue, recovery at start), the handoff layer (biometric model, phone
 *   sockets closed at shutdown), then the scheduler (`lib/jobs/scheduled.ts`) with its tasks: the
 *   session expiry sweep, session retention and, with webhooks, webhook maintenance.
 *
 * A session's path: `POST /v1/sessions` (`routes/v1/sessions/index.ts`) → `createSession`
 * (`lib/sessions/sessions.ts`); a state change (`lib/sessions/lifecycle.ts`, the attempt pipeline
 * in `lib/handoff/`) → `addEventToCommit` → `deps.services.eventFanout` = `fanOutEvent` →
 * `addDeliveryJob` (`webhooks/deliveries.ts`) → the job queue → `runDeliveryJob`
 * (`webhooks/worker.ts`) → `sendTry` (`webhooks/sender.ts`).
 */
import type { Config } from "./core/config.ts";
import { createDeps, type DepsOverrides } from "./bootstrap.ts";
import type { AppDeps } from "./deps.ts";
import { type BackgroundHandle, type BackgroundWork, startBackgroundWork } from "./background.ts";
import { startHeartbeat } from "./core/instances.ts";
import { startMemoryRelease } from "./core/memory_release.ts";
import { type ScheduledTask, startScheduler } from "./jobs/scheduled.ts";
import { EXPIRY_SWEEP_TASK } from "./sessions/expiry_sweep.ts";
import { RETENTION_TASK } from "./sessions/retention.ts";
import { startHandoffWork } from "./handoff/register.ts";
import {
  startWebhookWorker,
  WEBHOOK_MAINTENANCE_TASK,
  wireWebhooks,
} from "../webhooks/register.ts";

/** Which parts the platform has. */
export interface PlatformOptions {
  /** Webhook endpoints, the event fan-out and delivery (default true). */
  webhooks?: boolean;
}

/** A composed platform: its dependencies and how to start its background work. */
export interface Platform {
  deps: AppDeps;
  /** The background work of this platform, in start order. */
  background: readonly BackgroundWork[];
  /** Starts the background work; the handle stops it in reverse order. */
  startBackground(): Promise<BackgroundHandle>;
}

/** Wires the optional layers into dependencies built by `createDeps`. */
export function wirePlatform(
  deps: AppDeps,
  options: PlatformOptions = {},
): readonly BackgroundWork[] {
  const webhooks = options.webhooks ?? true;
  if (webhooks) wireWebhooks(deps);
  const tasks: ScheduledTask[] = [
    EXPIRY_SWEEP_TASK,
    RETENTION_TASK,
    ...(webhooks ? [WEBHOOK_MAINTENANCE_TASK] : []),
  ];
  return [
    // First: this instance's heartbeat, so that its claims are known to be alive.
    { name: "instances.heartbeat", start: startHeartbeat },
    // Gives memory back when the instance goes quiet after a burst (needs DENO_USR2_MEMORY_TRIM=1).
    { name: "memory.release", start: startMemoryRelease },
    ...(webhooks ? [{ name: "webhooks", start: startWebhookWorker }] : []),
    { name: "handoff", start: startHandoffWork },
    // Last: the scheduled tasks, each once per period across the instances sharing the KV.
    { name: "scheduled", start: (deps) => Promise.resolve(startScheduler(deps, tasks)) },
  ];
}

/** Creates the platform for a configuration. */
export async function createPlatform(
  config: Config,
  overrides: DepsOverrides = {},
  options: PlatformOptions = {},
): Promise<Platform> {
  const deps = await createDeps(config, overrides);
  const background = wirePlatform(deps, options);
  return { deps, background, startBackground: () => startBackgroundWork(deps, background) };
}
