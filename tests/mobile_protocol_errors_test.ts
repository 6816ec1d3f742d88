/**
 * The phone protocol's remaining failures, each provoked on a real WebSocket: a phone that keeps
 * erring (TOO_MANY_ERRORS, 4012), a malformed Chip Authentication relay (recoverable), a session
 * that vanished before the result (SESSION_NOT_FOUND), and a server shutting down
 * (SERVER_SHUTTING_DOWN, after which the phone resumes with its token).
 */
import assert from "node:assert/strict";
import { serveApp, sessionWithHandoff, setupHandoffApp } from "./support/handoff.ts";
import {
  openWebSocketChannel,
  passportFor,
  type PhoneChannel,
  playChip,
  playSelfie,
  requestResult,
  sayHello,
  scenarioByName,
  uploadArtifact,
} from "../phone/mod.ts";
import { CLOSE_CODES, LIMITS } from "../lib/handoff/protocol.ts";
import { closePhoneConnectionsForShutdown, handoffServices } from "../lib/handoff/services.ts";
import { sessionKeys } from "../lib/sessions/types.ts";

async function nextError(channel: PhoneChannel) {
  const message = await channel.next();
  assert.equal(message.type, "error", JSON.stringify(message));
  return message;
}

Deno.test("a phone that keeps erring is cut off with TOO_MANY_ERRORS (4012)", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const h = await sessionWithHandoff(t);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    await sayHello(channel, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    for (let i = 0; i < LIMITS.maxErrorsPerConnection; i++) {
      channel.send({ v: 1, type: "teleport" });
    }
    for (let i = 0; i < LIMITS.maxErrorsPerConnection; i++) {
      const error = await nextError(channel);
      assert.equal(error.code, "UNKNOWN_MESSAGE_TYPE");
      assert.equal(error.fatal, false);
    }
    const last = await nextError(channel);
    assert.equal(last.code, "TOO_MANY_ERRORS");
    assert.equal(last.fatal, true);
    assert.equal((await channel.closed).code, CLOSE_CODES.TOO_MANY_ERRORS);
  } finally {
    await server.close();
    await t.close();
  }
});

Deno.test("a malformed Chip Authentication relay is refused, and a good one then completes", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const h = await sessionWithHandoff(t);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    const hello = await sayHello(channel, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    const scenario = scenarioByName("success");
    const passport = await passportFor(scenario, t.clock.now());
    const dataGroups = [...passport.files.dataGroups].sort(([a], [b]) =>
      a === 14 ? 1 : b === 14 ? -1 : a - b
    );
    assert.equal(dataGroups.at(-1)?.[0], 14, "the success passport has DG14");
    await uploadArtifact(channel, "sod", passport.files.sod);
    let start: unknown = null;
    for (const [number, bytes] of dataGroups) {
      const ack = await uploadArtifact(channel, `dg${number}`, bytes);
      if (number === 14) start = ack.chip_authentication;
    }
    assert.ok(start, "the DG14 acknowledgement starts Chip Authentication");
    channel.send({ v: 1, type: "chip_authentication_relay", relay: { v: 1, apdus: "nonsense" } });
    const refused = await nextError(channel);
    assert.equal(refused.code, "INVALID_CHIP_AUTHENTICATION_RELAY");
    assert.equal(refused.fatal, false);
    // Same connection: AA and the real relay, the selfie, and a successful result.
    const received = ["sod", ...dataGroups.map(([n]) => `dg${n}`)];
    await playChip(channel, passport, { ...hello, received, chip_authentication: start });
    await playSelfie(channel, scenario);
    assert.equal((await requestResult(channel)).status, "succeeded");
  } finally {
    await server.close();
    await t.close();
  }
});

Deno.test("a session that disappeared before the result gives SESSION_NOT_FOUND", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const h = await sessionWithHandoff(t);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    await sayHello(channel, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    await t.deps.kv.delete(sessionKeys.session(h.id));
    channel.send({ v: 1, type: "result", consent_confirmed: true });
    assert.equal((await nextError(channel)).code, "SESSION_NOT_FOUND");
  } finally {
    await server.close();
    await t.close();
  }
});

Deno.test("shutdown tells the phone SERVER_SHUTTING_DOWN, and it resumes with its token", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const h = await sessionWithHandoff(t);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    const hello = await sayHello(channel, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    closePhoneConnectionsForShutdown(handoffServices(t.deps));
    const error = await nextError(channel);
    assert.equal(error.code, "SERVER_SHUTTING_DOWN");
    assert.equal(error.fatal, true);
    assert.equal((await channel.closed).code, CLOSE_CODES.SERVER_SHUTTING_DOWN);
    const again = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    const resumed = await sayHello(again, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    assert.equal(resumed.aa_challenge, hello.aa_challenge);
    again.close();
  } finally {
    await server.close();
    await t.close();
  }
});
