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
 * - the background work, in start order: the session expiry sweep, session retention, the
 *   webhook worker (job queue, recovery, maintenance) and the handoff layer (biometric model,
 *   phone sockets closed at shutdown).
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
import { startExpirySweep } from "./sessions/expiry_sweep.ts";
import { startRetention } from "./sessions/retention.ts";
import { startHandoffWork } from "./handoff/register.ts";
import { startWebhookWorker, wireWebhooks } from "../webhooks/register.ts";

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
  return [
    { name: "sessions.expiry_sweep", start: startExpirySweep },
    { name: "sessions.retention", start: startRetention },
    ...(webhooks ? [{ name: "webhooks", start: startWebhookWorker }] : []),
    { name: "handoff", start: startHandoffWork },
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
