/**
 * The delivery worker: the handler of `webhook.delivery` jobs. Each job makes at most one try of
 * one delivery. It is idempotent — a finished delivery or a try already made is ignored — and a
 * try is claimed (`delivering`, with a versionstamp check) before the request is sent, so two
 * workers — of this instance or of any other on the same KV — never send the same try at once;
 * a claim is taken over only once it is dead (`liveClaimUntil`). The outcome, the recorded attempt and the next job
 * are committed together.
 */
import type { AppDeps } from "../lib/deps.ts";
import { newId } from "../lib/core/ids.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import type { DeliveryJobPayload } from "./deliveries.ts";
import { addDeliveryJob, writeDelivery } from "./deliveries.ts";
import { signingKeys } from "./endpoints.ts";
import type { AttemptRecord, DeliveryRecord, EndpointRecord, TryErrorClass } from "./model.ts";
import { nextTryDelayMs } from "./schedule.ts";
import { sendTry, type TryResult } from "./sender.ts";
import { signatureHeader } from "./signing.ts";
import { webhookRuntime } from "./runtime.ts";
import { isInstanceAlive, staleAt } from "../lib/core/instances.ts";

/** How long a `delivering` claim outlives the request timeout before another worker may take it. */
export const CLAIM_MARGIN_MS = 10_000;

/** What one job run did (for tests and logs). */
export type JobOutcome = "sent" | "ignored" | "not_due" | "claimed_elsewhere" | "conflict";

/** Runs one delivery job. */
export async function runDeliveryJob(
  deps: AppDeps,
  payload: DeliveryJobPayload,
): Promise<JobOutcome> {
  const id = payload.delivery_id;
  const entry = await deps.kv.get<DeliveryRecord>(["webhook_deliveries", id]);
  const d = entry.value;
  if (!d || d.status === "succeeded" || d.status === "failed") return "ignored";
  if (payload.seq !== d.attemptCount + 1) return "ignored";
  const runtime = webhookRuntime(deps);
  const now = deps.clock.now();
  const jobs = getJobQueue(deps);
  const retryAt = async (at: string) => {
    const op = deps.kv.atomic().check(entry);
    addDeliveryJob(jobs, op, d, new Date(at).getTime());
    await op.commit();
  };
  if (d.status === "delivering") {
    if (runtime.inFlight.has(id)) return "claimed_elsewhere";
    const recheckAt = await liveClaimUntil(deps, d, runtime.instanceId);
    if (recheckAt !== null) {
      // Another live instance is sending this try: look again when its claim could be dead.
      await retryAt(recheckAt);
      return "claimed_elsewhere";
    }
  } else if (d.nextAttemptAt && new Date(d.nextAttemptAt) > now) {
    await retryAt(d.nextAttemptAt);
    return "not_due";
  }
  const claimed: DeliveryRecord = {
    ...d,
    status: "delivering",
    deliveringBy: runtime.instanceId,
    deliveringUntil: new Date(now.getTime() + runtime.sender.timeoutMs + CLAIM_MARGIN_MS)
      .toISOString(),
  };
  const claimOp = runtime.commits.atomic().check(entry);
  writeDelivery(claimOp, d, claimed);
  const claim = await claimOp.commit();
  if (!claim.ok) return "conflict";
  runtime.inFlight.add(id);
  try {
    const claimedEntry = { key: entry.key, value: claimed, versionstamp: claim.versionstamp };
    await makeTry(deps, claimedEntry);
  } finally {
    runtime.inFlight.delete(id);
  }
  return "sent";
}

/**
 * Null when a `delivering` claim is dead — past its expiry, left by this instance (no longer in
 * flight: the try was abandoned), or held by an instance whose heartbeat stopped — else when
 * to look again (ISO, the earlier of the claim's expiry and when its holder would be stale).
 * Any number of instances may share the KV, whichever job backend runs: a claim is never
 * presumed dead because of the backend.
 */
export async function liveClaimUntil(
  deps: AppDeps,
  d: DeliveryRecord,
  self: string,
): Promise<string | null> {
  const now = deps.clock.now().getTime();
  const until = d.deliveringUntil ? new Date(d.deliveringUntil).getTime() : 0;
  if (until <= now || !d.deliveringBy || d.deliveringBy === self) return null;
  if (!(await isInstanceAlive(deps.kv, d.deliveringBy))) return null;
  const stale = now + Math.max(0, (await staleAt(deps.kv, d.deliveringBy)) - Date.now());
  return new Date(Math.min(until, stale)).toISOString();
}

async function makeTry(deps: AppDeps, entry: Deno.KvEntry<DeliveryRecord>): Promise<void> {
  const d = entry.value;
  const endpoint = (await deps.kv.get<EndpointRecord>(["webhook_endpoints", d.endpointId])).value;
  if (!endpoint || !d.payload) {
    await finishGone(deps, entry);
    return;
  }
  const result = endpoint.enabled ? await sendSigned(deps, endpoint, d) : {
    succeeded: false,
    statusCode: null,
    errorClass: "endpoint_disabled" as TryErrorClass,
    durationMs: 0,
  };
  await recordTry(deps, entry, endpoint, result);
}

async function sendSigned(
  deps: AppDeps,
  endpoint: EndpointRecord,
  d: DeliveryRecord,
): Promise<TryResult> {
  const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
  const body = d.payload!;
  const headers = {
    "Content-Type": "application/jose",
    "User-Agent": "KayleID-Webhooks/1",
    "X-Kayle-Signature": await signatureHeader(
      await signingKeys(deps, endpoint, webhookRuntime(deps).signingKeys),
      timestamp,
      body,
    ),
    "X-Kayle-Event": d.eventType,
    "X-Kayle-Delivery-Id": d.id,
    "X-Kayle-Attempt": String(d.attemptCount + 1),
  };
  return await sendTry({ url: endpoint.url, body, headers }, webhookRuntime(deps).sender);
}

/** Commits the try's outcome, its attempt record and, when another try follows, its job. */
async function recordTry(
  deps: AppDeps,
  entry: Deno.KvEntry<DeliveryRecord>,
  endpoint: EndpointRecord,
  result: TryResult,
): Promise<void> {
  const d = entry.value;
  const now = deps.clock.now();
  const number = d.attemptCount + 1;
  const attempt: AttemptRecord = {
    id: newId("wha", deps.random),
    deliveryId: d.id,
    number,
    attemptedAt: now.toISOString(),
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    errorClass: result.errorClass,
    succeeded: result.succeeded,
    manual: d.manualTryPending,
  };
  const scheduledTries = d.manualTryPending ? d.scheduledTries : d.scheduledTries + 1;
  const base: DeliveryRecord = {
    ...d,
    attemptCount: number,
    scheduledTries,
    manualTryPending: false,
    deliveringBy: null,
    deliveringUntil: null,
    lastAttemptAt: now.toISOString(),
    lastStatusCode: result.statusCode,
    lastErrorClass: result.errorClass,
    updatedAt: now.toISOString(),
  };
  const op = webhookRuntime(deps).commits.atomic().check(entry)
    .set(["webhook_attempts", d.id, number], attempt);
  const delay = result.succeeded ? null : nextTryDelayMs(scheduledTries, deps.random);
  let next: DeliveryRecord;
  if (result.succeeded) {
    // Scrubbed on success unless the endpoint keeps delivered payloads for a replay.
    const keepMs = (endpoint.deliveredRetentionHours ?? 0) * 3600_000;
    next = {
      ...base,
      status: "succeeded",
      payload: keepMs > 0 ? base.payload : null,
      payloadExpiresAt: keepMs > 0 ? new Date(now.getTime() + keepMs).toISOString() : null,
      nextAttemptAt: null,
      succeededAt: now.toISOString(),
    };
    if (keepMs > 0) op.set(["webhook_payload_expiry", now.getTime() + keepMs, d.id], d.id);
    op.delete(["webhook_deliveries_open", d.id]);
  } else if (delay !== null) {
    next = {
      ...base,
      status: "pending",
      nextAttemptAt: new Date(now.getTime() + delay).toISOString(),
    };
    addDeliveryJob(getJobQueue(deps), op, next, now.getTime() + delay);
  } else {
    next = failedAfterLastTry(base, endpoint, now, op);
  }
  writeDelivery(op, d, next);
  const committed = await op.commit();
  deps.logger.info("webhook.try", {
    delivery_id: d.id,
    endpoint_id: d.endpointId,
    attempt: number,
    status_code: result.statusCode,
    error_class: result.errorClass,
    outcome: next.status,
    committed: committed.ok,
  });
}

/** The `failed` record after the last try, with the payload kept for the retention window. */
function failedAfterLastTry(
  base: DeliveryRecord,
  endpoint: EndpointRecord,
  now: Date,
  op: Deno.AtomicOperation,
): DeliveryRecord {
  const expiresMs = now.getTime() + endpoint.retentionHours * 3600_000;
  op.delete(["webhook_deliveries_open", base.id]);
  if (endpoint.retentionHours > 0) op.set(["webhook_payload_expiry", expiresMs, base.id], base.id);
  return {
    ...base,
    status: "failed",
    failureReason: "retries_exhausted",
    nextAttemptAt: null,
    payload: endpoint.retentionHours > 0 ? base.payload : null,
    payloadExpiresAt: new Date(expiresMs).toISOString(),
  };
}

async function finishGone(deps: AppDeps, entry: Deno.KvEntry<DeliveryRecord>): Promise<void> {
  const now = deps.clock.now().toISOString();
  const gone: DeliveryRecord = {
    ...entry.value,
    status: "failed",
    failureReason: "endpoint_gone",
    payload: null,
    nextAttemptAt: null,
    deliveringBy: null,
    deliveringUntil: null,
    payloadExpiresAt: now,
    updatedAt: now,
  };
  const op = deps.kv.atomic().check(entry).delete(["webhook_deliveries_open", gone.id]);
  writeDelivery(op, entry.value, gone);
  await op.commit();
}
