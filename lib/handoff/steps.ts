/**
 * The steps of an attempt after the hello: artifact uploads, the Active Authentication signature,
 * Chip Authentication (started when DG14 arrives, relayed by the phone), the pose challenge of the
 * selfie step, and the result — the pipeline, then `completeAttempt`, whose commit writes the
 * attempt, the session and the events together. The runtime is dropped after the result.
 */
import type { AppDeps } from "../deps.ts";
import { completeAttempt, getAttempt } from "../sessions/attempts.ts";
import { getSessionRecord } from "../sessions/sessions.ts";
import { attemptsRemaining, SessionStateError } from "../sessions/types.ts";
import { startChipAuthentication } from "../../verify/mod.ts";
import { parseChipAuthenticationRelay } from "../../verify/chip/relay_message.ts";
import { issuePoseChallenge } from "../../verify/biometric/pose_challenge.ts";
import {
  CLOSE_NORMAL,
  decodeBase64,
  encodeBase64,
  type MobileErrorCode,
  type PhoneMessage,
} from "./protocol.ts";
import { type AttemptRuntime, dropRuntime, type HandoffServices } from "./services.ts";
import { runAttemptPipeline } from "./pipeline.ts";

/** What a connection offers the steps. */
export interface StepConnection {
  send(message: Record<string, unknown>): void;
  fail(code: MobileErrorCode, message: string): void;
  close(code: number, reason: string): void;
}

/** The `chip_authentication` object sent to the phone (see docs/chip-authentication-relay.md). */
export function chipAuthenticationStartMessage(
  chipAuth: NonNullable<AttemptRuntime["chipAuth"]>,
): Record<string, unknown> {
  const { start, command } = chipAuth;
  return {
    protocol_oid: start.protocolOid,
    ...(start.keyId !== undefined ? { key_id: start.keyId } : {}),
    cipher: start.cipher,
    terminal_public_key: encodeBase64(start.terminalPublicKey),
    command: encodeBase64(command),
  };
}

/** Handles one message of a claimed attempt. */
export async function handleAttemptMessage(
  deps: AppDeps,
  services: HandoffServices,
  conn: StepConnection,
  runtime: AttemptRuntime,
  message: PhoneMessage,
): Promise<void> {
  if (runtime.resultRunning) {
    return conn.fail("RESULT_IN_PROGRESS", "The result is being computed.");
  }
  switch (message.type) {
    case "artifact_begin": {
      if (message.artifact === "selfie_frame" && !runtime.poseChallenge) {
        return conn.fail("OUT_OF_ORDER", "Send selfie_start and follow its pose challenge first.");
      }
      const error = runtime.artifacts.begin(
        message.artifact,
        message.index,
        message.size,
        message.sha256,
      );
      return error ? conn.fail(error.code, error.message) : undefined;
    }
    case "artifact_chunk": {
      const error = runtime.artifacts.chunk(
        message.artifact,
        message.index,
        message.seq,
        message.data,
      );
      return error ? conn.fail(error.code, error.message) : undefined;
    }
    case "artifact_end":
      return await endArtifact(conn, runtime, message.artifact, message.index);
    case "active_authentication": {
      const signature = decodeBase64(message.signature);
      if (!signature || signature.length === 0) {
        return conn.fail("MALFORMED_MESSAGE", "signature is not base64.");
      }
      runtime.aaSignature = signature;
      return conn.send({ type: "active_authentication_received" });
    }
    case "chip_authentication_relay":
      return relayChipAuthentication(conn, runtime, message.relay);
    case "selfie_start":
      runtime.poseChallenge ??= issuePoseChallenge((n) => deps.random.bytes(n));
      return conn.send({ type: "pose_challenge", ...runtime.poseChallenge });
    case "result":
      return await deliverResult(deps, services, conn, runtime, message.consent_confirmed);
  }
}

async function endArtifact(
  conn: StepConnection,
  runtime: AttemptRuntime,
  kind: Extract<PhoneMessage, { type: "artifact_end" }>["artifact"],
  index: number,
): Promise<void> {
  const ended = await runtime.artifacts.end(kind, index);
  if ("code" in ended) return conn.fail(ended.code, ended.message);
  const ack: Record<string, unknown> = {
    type: "artifact_received",
    artifact: kind,
    index,
    sha256: ended.sha256,
  };
  if (kind === "dg14") ack.chip_authentication = await startChip(runtime);
  conn.send(ack);
}

// A new DG14 starts a new CA run (any earlier relay belonged to the old terminal key).
async function startChip(runtime: AttemptRuntime): Promise<Record<string, unknown> | null> {
  runtime.chipAuth = null;
  const start = await startChipAuthentication({ dg14: runtime.artifacts.get("dg14")! });
  if ("ok" in start) return null;
  runtime.chipAuth = { start, command: await start.session.protectedCommand(), relay: null };
  return chipAuthenticationStartMessage(runtime.chipAuth);
}

function relayChipAuthentication(
  conn: StepConnection,
  runtime: AttemptRuntime,
  relay: Record<string, unknown>,
) {
  if (!runtime.chipAuth) {
    return conn.fail(
      "OUT_OF_ORDER",
      "Upload DG14 and wait for chip_authentication before relaying.",
    );
  }
  const { start } = runtime.chipAuth;
  const parsed = parseChipAuthenticationRelay(relay, {
    protocolOid: start.protocolOid,
    keyId: start.keyId,
  });
  if (!parsed.ok) {
    return conn.fail("INVALID_CHIP_AUTHENTICATION_RELAY", `${parsed.reason}: ${parsed.detail}`);
  }
  runtime.chipAuth.relay = parsed.relay;
  conn.send({ type: "chip_authentication_relay_received" });
}

async function deliverResult(
  deps: AppDeps,
  services: HandoffServices,
  conn: StepConnection,
  runtime: AttemptRuntime,
  consentConfirmed: boolean,
): Promise<void> {
  runtime.resultRunning = true;
  try {
    const session = await getSessionRecord(deps.kv, runtime.sessionId);
    if (!session) return conn.fail("SESSION_NOT_FOUND", "No such session.");
    const outcome = await runAttemptPipeline(deps, {
      session,
      artifacts: runtime.artifacts,
      aaChallenge: runtime.aaChallenge,
      aaSignature: runtime.aaSignature,
      chipAuth: runtime.chipAuth,
      poseChallenge: runtime.poseChallenge,
      consentConfirmed,
      biometric: await services.biometric(),
    });
    // The uploads are no longer needed: freed now rather than after the commit and the result,
    // which wait on KV while hundreds of phones finish at once (docs/performance.md, "Phones").
    runtime.artifacts.clear();
    try {
      await completeAttempt(deps, runtime.attemptId, outcome.verdict);
    } catch (error) {
      // A cancel or the expiry ended the session first: the verdict is discarded; say what happened.
      if (!(error instanceof SessionStateError)) throw error;
    }
    deps.logger.info("mobile.result", {
      attempt_id: runtime.attemptId,
      outcome: outcome.verdict.outcome,
      failed_check: outcome.failedCheck,
    });
    await sendResult(deps, conn, runtime);
  } finally {
    runtime.resultRunning = false;
    dropRuntime(services, runtime.attemptId);
  }
}

/** Sends the attempt's final state as the `result` message and closes normally. */
export async function sendResult(
  deps: AppDeps,
  conn: StepConnection,
  runtime: AttemptRuntime,
): Promise<void> {
  const [attempt, session] = await Promise.all([
    getAttempt(deps.kv, runtime.attemptId),
    getSessionRecord(deps.kv, runtime.sessionId),
  ]);
  conn.send({
    type: "result",
    attempt_id: runtime.attemptId,
    status: attempt?.status ?? "cancelled",
    failure_code: attempt?.failureCode ?? null,
    session_status: session?.status ?? null,
    attempts_remaining: session ? attemptsRemaining(session) : 0,
  });
  conn.close(CLOSE_NORMAL, "result");
}
