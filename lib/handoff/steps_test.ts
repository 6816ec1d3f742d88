import assert from "node:assert/strict";
import { handleAttemptMessage, type StepConnection } from "./steps.ts";
import type { AttemptRuntime, HandoffServices } from "./services.ts";
import { ArtifactStore } from "./uploads.ts";
import type { AppDeps } from "../deps.ts";
import type { PhoneMessage } from "./protocol.ts";

function recordingConnection() {
  const failures: string[] = [];
  const sent: Record<string, unknown>[] = [];
  const conn: StepConnection = {
    send: (message) => sent.push(message),
    fail: (code) => failures.push(code),
    close: () => {},
  };
  return { conn, failures, sent };
}

Deno.test("while the result is being computed, any other message gets RESULT_IN_PROGRESS", async () => {
  // A second connection of the same attempt (the phone reconnected during the result) shares the
  // runtime: its messages must not touch the artifacts the pipeline is reading.
  const runtime: AttemptRuntime = {
    attemptId: "va_x",
    sessionId: "vs_x",
    artifacts: new ArtifactStore(),
    aaChallenge: new Uint8Array(8),
    aaSignature: null,
    chipAuth: null,
    poseChallenge: null,
    resultRunning: true,
    lastActivity: 0,
    socket: null,
  };
  const { conn, failures, sent } = recordingConnection();
  // deps and services are never reached: the guard answers first.
  const deps = {} as AppDeps, services = {} as HandoffServices;
  const messages: PhoneMessage[] = [
    { v: 1, type: "selfie_start" } as PhoneMessage,
    { v: 1, type: "result", consent_confirmed: true } as PhoneMessage,
  ];
  for (const message of messages) {
    await handleAttemptMessage(deps, services, conn, runtime, message);
  }
  assert.deepEqual(failures, ["RESULT_IN_PROGRESS", "RESULT_IN_PROGRESS"]);
  assert.deepEqual(sent, []);
  assert.deepEqual(runtime.artifacts.names(), []);
});
