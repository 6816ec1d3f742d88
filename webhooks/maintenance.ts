/**
 * Background upkeep of deliveries, each round under a KV lease so instances never run it twice
 * at once:
 * - recovery: a delivery that is due (or was being sent by an instance that died: its claim
 *   expired or its heartbeat stopped, `lib/core/instances.ts`) gets a fresh
 *   job, so a job lost with a crashed process — a KV queue hands in-flight messages back only
 *   after about a minute — never strands a delivery; duplicates are harmless (jobs are idempotent);
 * - retention: payloads of failed deliveries are scrubbed when their retention window ends, and
 *   events with their delivery history are deleted after 30 days (`history_retention.ts`).
 */
import type { AppDeps } from "../lib/deps.ts";
import { withLease } from "../lib/core/lease.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import { addDeliveryJob, putDelivery } from "./deliveries.ts";
import type { DeliveryRecord } from "./model.ts";
import { webhookKeys } from "./model.ts";
import { webhookRuntime } from "./runtime.ts";
import { liveClaimUntil } from "./worker.ts";
import { deleteExpiredHistory } from "./history_retention.ts";

/** Re-enqueues open deliveries that are overdue by `graceMs` or held by a dead claim. Returns the count. */
export async function recoverDeliveries(deps: AppDeps, graceMs: number): Promise<number> {
  const jobs = getJobQueue(deps);
  const runtime = webhookRuntime(deps);
  const now = deps.clock.now().getTime();
  let count = 0;
  let op = deps.kv.atomic();
  for await (const e of deps.kv.list<string>({ prefix: webhookKeys.openDeliveriesPrefix() })) {
    const d = (await deps.kv.get<DeliveryRecord>(webhookKeys.delivery(e.value))).value;
    if (!d || runtime.inFlight.has(d.id)) continue;
    const stuck = d.status === "delivering" &&
      (await liveClaimUntil(deps, d, runtime.instanceId)) === null;
    const overdue = d.status === "pending" &&
      new Date(d.nextAttemptAt ?? 0).getTime() + graceMs <= now;
    if (!stuck && !overdue) continue;
    addDeliveryJob(jobs, op, d, now);
    if (++count % 100 === 0) {
      await op.commit();
      op = deps.kv.atomic();
    }
  }
  if (count % 100) await op.commit();
  return count;
}

/** Scrubs the payloads whose retention window is over. Returns the count. */
export async function scrubExpiredPayloads(deps: AppDeps): Promise<number> {
  const now = deps.clock.now().getTime();
  let count = 0;
  const due = deps.kv.list<string>({
    start: webhookKeys.payloadExpiryPrefix(),
    end: [...webhookKeys.payloadExpiryPrefix(), now + 1],
  });
  for await (const e of due) {
    const entry = await deps.kv.get<DeliveryRecord>(webhookKeys.delivery(e.value));
    const op = deps.kv.atomic().delete(e.key);
    const d = entry.value;
    if (
      d && (d.status === "failed" || d.status === "succeeded") && d.payloadExpiresAt &&
      new Date(d.payloadExpiresAt).getTime() <= now
    ) {
      op.check(entry);
      putDelivery(op, d, { ...d, payload: null, updatedAt: new Date(now).toISOString() });
      count++;
    }
    await op.commit();
  }
  return count;
}

/** Name of the maintenance task and of its lease. */
export const MAINTENANCE_NAME = "webhooks.maintenance";

/** One maintenance round: recovery of overdue deliveries, then retention. */
export async function maintenanceRound(deps: AppDeps, graceMs = 60_000): Promise<void> {
  const recovered = await recoverDeliveries(deps, graceMs);
  const scrubbed = await scrubExpiredPayloads(deps);
  const deleted = await deleteExpiredHistory(deps);
  if (recovered || scrubbed || deleted) {
    deps.logger.info("webhooks.maintenance", { recovered, scrubbed, deleted_events: deleted });
  }
}

/** One maintenance round under the lease (tools and tests); returns whether it ran. */
export async function runMaintenance(deps: AppDeps, graceMs = 60_000): Promise<boolean> {
  const holder = webhookRuntime(deps).instanceId;
  return await withLease(
    deps.kv,
    MAINTENANCE_NAME,
    holder,
    5 * 60_000,
    deps.clock,
    () => maintenanceRound(deps, graceMs),
  );
}
