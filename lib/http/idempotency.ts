/**
 * `Idempotency-Key` for creating POSTs (docs/api.md), reusable by any route: the same key with the
 * same body within 24 hours returns the first response (status and body, with
 * `Idempotent-Replayed: true`); the same key with another body is `409 CONFLICT`; a duplicate
 * that arrives while the first is still running is `409 CONFLICT` too, so concurrent duplicates
 * never create two objects (the first request claims the key with a `versionstamp: null` check).
 *
 * The stored response may hold a one-shot secret (a session's cancel token), so it is kept
 * sealed (AES-256-GCM under the server key) and expires with the record.
 * Key: `["idempotency", orgId, mode, keyHash]` → {@link IdempotencyRecord}: keys are per
 * organization AND mode, so a test key's `Idempotency-Key` never replays its (test) object to a
 * live key (docs/api.md, "Idempotency").
 */
import type { AppContext } from "../framework/define.ts";
import { ApiError } from "./errors.ts";
import { toHex } from "../core/keys.ts";
import { coreKeys } from "../core/kv.ts";

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a key stays claimed by a request that never finished (a crash). */
export const IDEMPOTENCY_PENDING_TTL_MS = 5 * 60 * 1000;
/** Accepted key syntax: 1–255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The stored state of one key. */
export interface IdempotencyRecord {
  state: "pending" | "done";
  /** SHA-256 of the operation and body the key was first used with. */
  fingerprint: string;
  status: number | null;
  sealedBody: string | null;
  createdAt: string;
}

/** A response to remember. */
export interface IdempotentResult {
  status: 200 | 201 | 202;
  body: unknown;
}

async function sha256Hex(text: string): Promise<string> {
  return toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))),
  );
}

/**
 * Runs `produce` at most once per `Idempotency-Key` of the caller's organization and mode; without the
 * header it just runs. `operation` names the endpoint (e.g. `POST /v1/sessions`), `request` is
 * what makes two calls "the same" (the parsed body and query). `produce` returns the envelope.
 */
export async function withIdempotency(
  c: AppContext,
  operation: string,
  request: unknown,
  produce: () => Promise<IdempotentResult>,
): Promise<Response> {
  const header = c.req.header("idempotency-key");
  if (header === undefined) return respond(c, await produce(), false);
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new ApiError(
      400,
      "BAD_REQUEST",
      "Invalid Idempotency-Key: use 1 to 255 visible ASCII characters.",
    );
  }
  const { kv, keys, clock } = c.var.deps;
  const { orgId, mode } = c.var.apiKey!;
  const hash = await keys.hash(`${operation}:${header}`, "idempotency");
  const key = coreKeys.idempotency(orgId, mode, hash);
  const fingerprint = await sha256Hex(JSON.stringify([operation, request ?? null]));
  const existing = await kv.get<IdempotencyRecord>(key);
  if (existing.value && !isStale(existing.value, clock.now())) {
    return await replay(c, existing.value, fingerprint, key);
  }
  const pending: IdempotencyRecord = {
    state: "pending",
    fingerprint,
    status: null,
    sealedBody: null,
    createdAt: clock.now().toISOString(),
  };
  // A stale record (older than its lifetime by the injected clock) is replaced, checked as read.
  const claim = await kv.atomic().check(existing)
    .set(key, pending, { expireIn: IDEMPOTENCY_PENDING_TTL_MS }).commit();
  if (!claim.ok) {
    return await replay(c, (await kv.get<IdempotencyRecord>(key)).value, fingerprint, key);
  }
  let result: IdempotentResult;
  try {
    result = await produce();
  } catch (error) {
    // Failed requests are not remembered: the same key may be retried.
    await kv.atomic().check({ key, versionstamp: claim.versionstamp }).delete(key).commit();
    throw error;
  }
  const done: IdempotencyRecord = {
    ...pending,
    state: "done",
    status: result.status,
    sealedBody: await keys.seal(JSON.stringify(result.body), key.join("/")),
  };
  await kv.set(key, done, { expireIn: IDEMPOTENCY_TTL_MS });
  return respond(c, result, false);
}

// KV's expireIn runs on real time and lazily; the lifetime is also judged by the app's clock.
function isStale(record: IdempotencyRecord, now: Date): boolean {
  const lifetime = record.state === "done" ? IDEMPOTENCY_TTL_MS : IDEMPOTENCY_PENDING_TTL_MS;
  return now.getTime() - Date.parse(record.createdAt) >= lifetime;
}

async function replay(
  c: AppContext,
  record: IdempotencyRecord | null,
  fingerprint: string,
  key: Deno.KvKey,
): Promise<Response> {
  if (record && record.fingerprint !== fingerprint) {
    throw new ApiError(
      409,
      "CONFLICT",
      "This Idempotency-Key was already used with another request body.",
      {
        hint: "Use a new key for a different request.",
      },
    );
  }
  if (!record || record.state === "pending" || !record.sealedBody) {
    throw new ApiError(
      409,
      "CONFLICT",
      "A request with this Idempotency-Key is still in progress.",
      {
        hint: "Retry in a moment to get its response.",
      },
    );
  }
  const body = JSON.parse(await c.var.deps.keys.open(record.sealedBody, key.join("/")));
  return respond(c, { status: record.status as IdempotentResult["status"], body }, true);
}

function respond(c: AppContext, result: IdempotentResult, replayed: boolean): Response {
  const response = c.json(result.body as Record<string, unknown>, result.status);
  if (replayed) response.headers.set("Idempotent-Replayed", "true");
  return response;
}
