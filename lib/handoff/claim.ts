/**
 * The hello's credential check: the handoff token is consumed ONCE, atomically (a versionstamp-
 * checked commit, so of 100 concurrent hellos exactly one wins), and binds the attempt to the
 * device (its id stored only as a keyed hash). The same device resumes with the same token; any
 * other device is refused. The claim itself (session `in_progress`, `same_device_only`) is the
 * sessions layer's `claimAttempt`, idempotent for the bound device, so a hello that consumed the
 * token but failed to claim heals on the device's next hello.
 */
import type { AppDeps } from "../deps.ts";
import { claimAttempt, getAttempt } from "../sessions/attempts.ts";
import { getSessionRecord } from "../sessions/sessions.ts";
import { type AttemptRecord, isTerminal, type SessionRecord } from "../sessions/types.ts";
import { handoffKeys, type HandoffTokenRecord, hashHandoffToken } from "./handoff.ts";
import { HelloRefused } from "./protocol.ts";

/** A successful hello. */
export interface ClaimedAttempt {
  session: SessionRecord;
  attempt: AttemptRecord;
  /** True when the token had already been consumed by this device (a reconnect). */
  resumed: boolean;
}

/** The keyed hash of a device id (the same derivation as the sessions layer's claim). */
export async function hashDeviceId(
  deps: Pick<AppDeps, "keys">,
  deviceId: string,
): Promise<string> {
  return await deps.keys.hash(`device-id:${deviceId}`);
}

/**
 * Checks the token of a hello and claims its attempt for the device. Throws {@link HelloRefused}:
 * `HANDOFF_TOKEN_INVALID`, `HANDOFF_TOKEN_EXPIRED`, `HANDOFF_TOKEN_CONSUMED`,
 * `HANDOFF_DEVICE_MISMATCH`, `SESSION_NOT_FOUND`, `ATTEMPT_ENDED`; or the sessions layer's
 * `SessionStateError` of the claim, which the connection answers through the error table.
 */
export async function claimWithToken(
  deps: AppDeps,
  hello: { sessionId: string; token: string; deviceId: string },
): Promise<ClaimedAttempt> {
  const tokenHash = await hashHandoffToken(deps, hello.token);
  const deviceIdHash = await hashDeviceId(deps, hello.deviceId);
  for (let tries = 0; tries < 16; tries++) {
    const entry = await deps.kv.get<HandoffTokenRecord>(handoffKeys.token(tokenHash));
    const record = entry.value;
    if (!record || record.sessionId !== hello.sessionId) {
      throw new HelloRefused("HANDOFF_TOKEN_INVALID", "This token does not open this session.");
    }
    const attempt = await usableAttempt(deps, record);
    if (record.consumedAt) {
      if (record.deviceIdHash !== deviceIdHash) {
        throw new HelloRefused(
          "HANDOFF_DEVICE_MISMATCH",
          "Another device already claimed this attempt.",
        );
      }
      return await claim(deps, attempt.id, hello.deviceId, true);
    }
    await refuseBoundSession(deps, record.sessionId, deviceIdHash);
    if (Date.parse(record.expiresAt) <= deps.clock.now().getTime()) {
      throw new HelloRefused(
        "HANDOFF_TOKEN_EXPIRED",
        "The token expired; ask the verify page for a new code.",
      );
    }
    const consumed: HandoffTokenRecord = {
      ...record,
      consumedAt: deps.clock.now().toISOString(),
      deviceIdHash,
    };
    const committed = await deps.kv.atomic().check(entry).set(entry.key, consumed, {
      expireIn: 2 * 60 * 60 * 1000,
    }).commit();
    if (committed.ok) return await claim(deps, attempt.id, hello.deviceId, false);
    // Another hello consumed it first: re-read and answer as a replay.
  }
  throw new HelloRefused("HANDOFF_TOKEN_CONSUMED", "The token is being used; retry.");
}

// The token's attempt must still be the session's current, in-progress attempt.
async function usableAttempt(deps: AppDeps, record: HandoffTokenRecord): Promise<AttemptRecord> {
  const attempt = await getAttempt(deps.kv, record.attemptId);
  if (!attempt) throw new HelloRefused("SESSION_NOT_FOUND", "No such session.");
  if (attempt.status !== "in_progress") {
    const code = record.consumedAt ? "HANDOFF_TOKEN_CONSUMED" : "ATTEMPT_ENDED";
    throw new HelloRefused(code, `The attempt ended (${attempt.failureCode ?? attempt.status}).`);
  }
  return attempt;
}

// A session claimed by a device in an earlier attempt stays with that device (same_device_only).
async function refuseBoundSession(
  deps: AppDeps,
  sessionId: string,
  deviceIdHash: string,
): Promise<void> {
  const session = await getSessionRecord(deps.kv, sessionId);
  if (!session) throw new HelloRefused("SESSION_NOT_FOUND", "No such session.");
  if (session.deviceIdHash && session.deviceIdHash !== deviceIdHash) {
    throw new HelloRefused(
      "HANDOFF_DEVICE_MISMATCH",
      "This session continues on the device that started it.",
    );
  }
}

async function claim(
  deps: AppDeps,
  attemptId: string,
  deviceId: string,
  resumed: boolean,
): Promise<ClaimedAttempt> {
  const { session, attempt } = await claimAttempt(deps, attemptId, { deviceId });
  return { session, attempt, resumed };
}

/** True when the session is over (for answers after a lost race). */
export function sessionIsOver(session: SessionRecord | null): boolean {
  return !session || isTerminal(session.status);
}
