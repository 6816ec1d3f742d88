/**
 * A delivery "world" for the webhooks tests: the test app on a chosen job backend, a loopback
 * receiver, an endpoint with an active key and a running worker; plus helpers to read
 * deliveries and to drive the next scheduled try under the manual clock.
 */
import type { JobBackend } from "../../lib/core/config.ts";
import type { AppDeps } from "../../lib/deps.ts";
import { createKvTableJobs } from "../../lib/jobs/mod.ts";
import { configureWebhookSender } from "../../webhooks/runtime.ts";
import { startWebhookWorker } from "../../webhooks/register.ts";
import { runDeliveryJob } from "../../webhooks/worker.ts";
import { type DeliveryRecord, webhookKeys } from "../../webhooks/model.ts";
import { createTestApp, type TestApp } from "./app.ts";
import {
  type Receiver,
  seedWebhookEndpoint,
  sharedKeyPair,
  startReceiver,
  waitFor,
} from "./webhooks.ts";

/** A test app with a receiver, an endpoint with a key, and a running worker. */
export interface World {
  t: TestApp;
  receiver: Receiver;
  orgId: string;
  endpointId: string;
  secret: string;
  stop(): Promise<void>;
}

/** Builds a world on a job backend (a 5 s try timeout; the table polls every 10 ms). */
export async function world(
  backend: JobBackend,
  options: { url?: string; retentionHours?: 0 | 24 | 72 | 168 } = {},
): Promise<World> {
  const t = await createTestApp({ jobBackend: backend });
  if (backend === "kv_table") {
    t.deps.services.jobs = createKvTableJobs(t.deps, { pollIntervalMs: 10 });
  }
  const { receiver, seeded } = await receiverWithEndpoint(t, options);
  const worker = await startWebhookWorker(t.deps);
  return {
    t,
    receiver,
    orgId: seeded.orgId,
    endpointId: seeded.endpoint.id,
    secret: seeded.signingSecret,
    async stop() {
      await worker.stop();
      await receiver.close();
      await t.close();
    },
  };
}

/**
 * A loopback receiver and an organization with one endpoint (an active key, the receiver's URL
 * unless told otherwise) that signs with the secret the receiver checks; tries time out after 5 s.
 */
export async function receiverWithEndpoint(
  t: TestApp,
  options: { url?: string; retentionHours?: 0 | 24 | 72 | 168 } = {},
): Promise<{ receiver: Receiver; seeded: Awaited<ReturnType<typeof seedWebhookEndpoint>> }> {
  configureWebhookSender(t.deps, { timeoutMs: 5000 });
  const pair = await sharedKeyPair();
  let secrets: string[] = [];
  const receiver = startReceiver({
    secrets: () => secrets,
    privateKey: pair.privateKey,
    now: () => t.clock.now().getTime(),
  });
  const seeded = await seedWebhookEndpoint(t.deps, {
    url: options.url ?? receiver.url,
    publicJwk: pair.publicJwk,
    retentionHours: options.retentionHours,
  });
  secrets = [seeded.signingSecret];
  return { receiver, seeded };
}

/** The (first) delivery of an event. */
export async function deliveryOf(deps: AppDeps, eventId: string): Promise<DeliveryRecord> {
  for await (
    const e of deps.kv.list<string>({ prefix: webhookKeys.deliveriesByEventPrefix(eventId) })
  ) {
    return (await deps.kv.get<DeliveryRecord>(webhookKeys.delivery(e.value))).value!;
  }
  throw new Error("no delivery");
}

/** Reads a delivery. */
export async function getDelivery(deps: AppDeps, id: string): Promise<DeliveryRecord> {
  return (await deps.kv.get<DeliveryRecord>(webhookKeys.delivery(id))).value!;
}

/** Moves the clock to the next try and makes it (the backend may make it first). */
export async function driveNextTry(w: World, id: string): Promise<DeliveryRecord> {
  const before = await getDelivery(w.t.deps, id);
  w.t.clock.set(before.nextAttemptAt!);
  await runDeliveryJob(w.t.deps, { delivery_id: id, seq: before.attemptCount + 1 });
  await waitFor(
    async () => (await getDelivery(w.t.deps, id)).attemptCount === before.attemptCount + 1,
    20_000,
    "next try",
  );
  return await getDelivery(w.t.deps, id);
}
