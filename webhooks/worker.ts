/**
 * The delivery worker: the handler of `webhook.delivery` jobs. Each job makes at most one try of
 * one delivery. It is idempotent — a finished delivery or a try already made is ignored — and a
 * try is claimed (`delivering`, with a versionstamp check) before the request is sent, so two
 * workers — of this instance or of any other on the same KV — never send the same try at once.
 * The first try made right after the event's commit has its claim from birth (`claimedBy` in the
 * fan-out, `webhooks/fanout.ts`): that run finds the record as it committed it and sends.
 * A claim is taken over only once it is dead (`claimState`), in a commit fenced on the holder's
 * heartbeat record; the owner re-reads its claim just before the request leaves
 * (`mayStillSend`). The outcome, the recorded attempt and the next job are committed together.
 */
import type { AppDeps } from "../lib/deps.ts";
import { newId } from "../lib/core/ids.ts";
import { getJobQueue } from "../lib/jobs/mod.ts";
import type { DeliveryJobPayload } from "./deliveries.ts";
import { addDeliveryJob, putDelivery } from "./deliveries.ts";
import { signingKeys } from "./endpoints.ts";
import type { AttemptRecord, DeliveryRecord, EndpointRecord, TryErrorClass } from "./model.ts";
import { webhookKeys } from "./model.ts";
import type { WebhookRuntime } from "./runtime.ts";
import { nextTryDelayMs } from "./schedule.ts";
import { sendTry, type TryResult } from "./sender.ts";
import { signatureHeader } from "./signing.ts";
import { webhookRuntime } from "./runtime.ts";
import { type InstanceRecord, STALE_AFTER_MS } from "../lib/core/instances.ts";
import { KvBusyError } from "../lib/core/kv_busy.ts";
import { coreKeys } from "../lib/core/kv.ts";

/** How long a `delivering` claim outlives the request timeout before another worker may take it. */
export const CLAIM_MARGIN_MS = 10_000;

/** What one job run did (for tests and logs). */
export type JobOutcome = "sent" | "ignored" | "not_due" | "claimed_elsewhere" | "conflict";

/** `d` claimed by this instance for a try starting `now`: until the try's timeout and the margin. */
export function claimedBy(d: DeliveryRecord, runtime: WebhookRuntime, now: Date): DeliveryRecord {
  return {
    ...d,
    status: "delivering",
    deliveringBy: runtime.instanceId,
    deliveringUntil: new Date(now.getTime() + runtime.sender.timeoutMs + CLAIM_MARGIN_MS)
      .toISOString(),
  };
}

/**
 * Runs one delivery job. Jobs of one delivery run one after another in this instance (a KV queue
 * may hand the same message out again while it runs, and recovery adds jobs): a run that finds
 * this instance's own claim therefore knows that claim was abandoned, never that it is being sent
 * — except the run right after the commit that created the delivery claimed by this instance
 * (`committed`: that commit's versionstamp, `lib/jobs/types.ts` `JobContext`), whose claim it is.
 */
export async function runDeliveryJob(
  deps: AppDeps,
  payload: DeliveryJobPayload,
  committed?: string,
): Promise<JobOutcome> {
  const runtime = webhookRuntime(deps);
  const id = payload.delivery_id;
  const previous = runtime.inFlight.get(id);
  const run = (previous ?? Promise.resolve()).catch(() => {}).then(() =>
    runJob(deps, payload, committed)
  );
  runtime.inFlight.set(id, run);
  try {
    return await run;
  } finally {
    if (runtime.inFlight.get(id) === run) runtime.inFlight.delete(id);
  }
}

async function runJob(
  deps: AppDeps,
  payload: DeliveryJobPayload,
  committed: string | undefined,
): Promise<JobOutcome> {
  const id = payload.delivery_id;
  const entry = await deps.kv.get<DeliveryRecord>(webhookKeys.delivery(id));
  const d = entry.value;
  if (!d || d.status === "succeeded" || d.status === "failed") return "ignored";
  if (payload.seq !== d.attemptCount + 1) return "ignored";
  const runtime = webhookRuntime(deps);
  // Born claimed by this instance and untouched since that commit: the claim is this run's.
  if (
    committed && entry.versionstamp === committed && d.status === "delivering" &&
    d.deliveringBy === runtime.instanceId
  ) {
    await makeTry(deps, entry as Deno.KvEntry<DeliveryRecord>);
    return "sent";
  }
  const now = deps.clock.now();
  const jobs = getJobQueue(deps);
  const retryAt = async (at: string) => {
    const op = deps.kv.atomic().check(entry);
    addDeliveryJob(jobs, op, d, new Date(at).getTime());
    await op.commit();
  };
  const op = runtime.commits.atomic().check(entry);
  let takeover: DeadClaim | null = null;
  if (d.status === "delivering") {
    const state = await claimState(deps, d, runtime.instanceId);
    if (state.live) {
      // Another live instance is sending this try: look again when its claim could be dead.
      await retryAt(state.recheckAt);
      return "claimed_elsewhere";
    }
    takeover = state;
    // Fencing: the takeover commits only if the holder's heartbeat record is still the silent one
    // read above — a holder that was only slow and beat since then keeps its claim.
    if (state.holderBeat) op.check(state.holderBeat);
  } else if (d.nextAttemptAt && new Date(d.nextAttemptAt) > now) {
    await retryAt(d.nextAttemptAt);
    return "not_due";
  }
  const claimed = claimedBy(d, runtime, now);
  putDelivery(op, d, claimed);
  const claim = await op.commit();
  if (!claim.ok) return "conflict";
  if (takeover) {
    deps.logger.info("webhook.claim_taken_over", {
      delivery_id: id,
      attempt: d.attemptCount + 1,
      holder: d.deliveringBy,
      reason: takeover.reason,
      holder_beat_age_ms: takeover.beatAgeMs,
    });
  }
  const claimedEntry = { key: entry.key, value: claimed, versionstamp: claim.versionstamp };
  await makeTry(deps, claimedEntry);
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
  const state = await claimState(deps, d, self);
  return state.live ? state.recheckAt : null;
}

/** A dead claim: why, and the holder's heartbeat entry the takeover is fenced on. */
interface DeadClaim {
  live: false;
  reason: "expired" | "abandoned" | "holder_stale";
  beatAgeMs: number | null;
  holderBeat: Deno.KvEntryMaybe<InstanceRecord> | null;
}

async function claimState(
  deps: AppDeps,
  d: DeliveryRecord,
  self: string,
): Promise<{ live: true; recheckAt: string } | DeadClaim> {
  const now = deps.clock.now().getTime();
  const until = d.deliveringUntil ? new Date(d.deliveringUntil).getTime() : 0;
  const dead = (reason: DeadClaim["reason"]): DeadClaim => ({
    live: false,
    reason,
    beatAgeMs: null,
    holderBeat: null,
  });
  if (until <= now || !d.deliveringBy) return dead("expired");
  if (d.deliveringBy === self) return dead("abandoned");
  const beat = await deps.kv.get<InstanceRecord>(coreKeys.instance(d.deliveringBy));
  // Measured after the read: a reader that was itself slow sees the beat older than it was,
  // which the fencing check of the takeover corrects (any beat since the read fails it).
  const beatAgeMs = Date.now() - (beat.value?.beatAt ?? 0);
  if (beatAgeMs >= STALE_AFTER_MS) {
    return { live: false, reason: "holder_stale", beatAgeMs, holderBeat: beat };
  }
  const stale = now + STALE_AFTER_MS - beatAgeMs;
  return { live: true, recheckAt: new Date(Math.min(until, stale)).toISOString() };
}

async function makeTry(deps: AppDeps, entry: Deno.KvEntry<DeliveryRecord>): Promise<void> {
  const d = entry.value;
  const endpoint = (await deps.kv.get<EndpointRecord>(webhookKeys.endpoint(d.endpointId))).value;
  if (!endpoint || !d.payload) {
    await finishGone(deps, entry);
    return;
  }
  const result = endpoint.enabled ? await sendSigned(deps, endpoint, entry) : {
    succeeded: false,
    statusCode: null,
    errorClass: "endpoint_disabled" as TryErrorClass,
    durationMs: 0,
  };
  if (result) await recordTry(deps, entry, endpoint, result);
}

/**
 * Whether this instance may still send the try it claimed in `entry`, asked just before the
 * request leaves: the claim must be intact (not taken over while this instance was starved) and
 * young enough that the try's timeout ends before the claim expires — a try started later could
 * still be running when another instance takes the expired claim and sends it again. A late
 * claim is handed back (`pending`, due now) instead of left to expire.
 */
async function mayStillSend(deps: AppDeps, entry: Deno.KvEntry<DeliveryRecord>): Promise<boolean> {
  const d = entry.value;
  const current = await deps.kv.get<DeliveryRecord>(entry.key);
  const lost = current.versionstamp !== entry.versionstamp;
  const now = deps.clock.now();
  const late = now.getTime() + webhookRuntime(deps).sender.timeoutMs >=
    new Date(d.deliveringUntil ?? 0).getTime();
  if (!lost && !late) return true;
  deps.logger.warn("webhook.try_not_sent", {
    delivery_id: d.id,
    attempt: d.attemptCount + 1,
    reason: lost ? "claim_lost" : "claim_late",
  });
  if (!lost) {
    const released: DeliveryRecord = {
      ...d,
      status: "pending",
      deliveringBy: null,
      deliveringUntil: null,
      nextAttemptAt: now.toISOString(),
    };
    const op = deps.kv.atomic().check(entry);
    putDelivery(op, d, released);
    addDeliveryJob(getJobQueue(deps), op, released, now.getTime());
    await op.commit();
  }
  return false;
}

async function sendSigned(
  deps: AppDeps,
  endpoint: EndpointRecord,
  entry: Deno.KvEntry<DeliveryRecord>,
): Promise<TryResult | null> {
  const d = entry.value;
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
  return await sendTry(
    { url: endpoint.url, body, headers, mayStillSend: () => mayStillSend(deps, entry) },
    webhookRuntime(deps).sender,
  );
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
    .set(webhookKeys.attempt(d.id, number), attempt);
  // A delivery that succeeded once stays delivered: a manual try of it that fails is one failed
  // attempt, and starts no schedule (docs/webhooks.md, "retry").
  const delivered = result.succeeded || (d.manualTryPending && d.succeededAt !== null);
  const delay = delivered ? null : nextTryDelayMs(scheduledTries, deps.random);
  let next: DeliveryRecord;
  if (delivered) {
    // Scrubbed on success unless the endpoint keeps delivered payloads for a replay.
    const keepMs = (endpoint.deliveredRetentionHours ?? 0) * 3600_000;
    next = {
      ...base,
      status: "succeeded",
      payload: keepMs > 0 ? base.payload : null,
      payloadExpiresAt: keepMs > 0 ? new Date(now.getTime() + keepMs).toISOString() : null,
      nextAttemptAt: null,
      succeededAt: result.succeeded ? now.toISOString() : d.succeededAt,
    };
    if (keepMs > 0) op.set(webhookKeys.payloadExpiry(now.getTime() + keepMs, d.id), d.id);
    op.delete(webhookKeys.openDelivery(d.id));
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
  putDelivery(op, d, next);
  const committed = await commitOutcome(deps, op, d);
  // Not committed: the claim was taken over while this try was being sent (a duplicate).
  deps.logger[committed.ok ? "info" : "warn"]("webhook.try", {
    delivery_id: d.id,
    endpoint_id: d.endpointId,
    attempt: number,
    status_code: result.statusCode,
    error_class: result.errorClass,
    outcome: next.status,
    committed: committed.ok,
  });
}

/**
 * Commits the outcome of a try that was sent. A database that stays busy does not make the outcome
 * lost (the job would fail, and its next run would find this instance's claim abandoned and send
 * the try again): the commit is tried again until the claim expires — after that another instance
 * may take the delivery over, and the check of the commit refuses the stale outcome anyway.
 */
async function commitOutcome(
  deps: AppDeps,
  op: Deno.AtomicOperation,
  d: DeliveryRecord,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  const until = new Date(d.deliveringUntil ?? 0).getTime();
  for (;;) {
    try {
      return await op.commit();
    } catch (error) {
      if (!(error instanceof KvBusyError) || deps.clock.now().getTime() >= until) throw error;
      deps.logger.warn("webhook.outcome_busy", { delivery_id: d.id, attempt: d.attemptCount + 1 });
    }
  }
}

/** The `failed` record after the last try, with the payload kept for the retention window. */
function failedAfterLastTry(
  base: DeliveryRecord,
  endpoint: EndpointRecord,
  now: Date,
  op: Deno.AtomicOperation,
): DeliveryRecord {
  const expiresMs = now.getTime() + endpoint.retentionHours * 3600_000;
  op.delete(webhookKeys.openDelivery(base.id));
  if (endpoint.retentionHours > 0) op.set(webhookKeys.payloadExpiry(expiresMs, base.id), base.id);
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
  const op = deps.kv.atomic().check(entry).delete(webhookKeys.openDelivery(gone.id));
  putDelivery(op, entry.value, gone);
  await op.commit();
}
