/**
 * Bad frames on the phone's WebSocket (real port): each gets a typed error with a stable code,
 * and the server keeps serving the same connection, which then completes the verification.
 * Before the hello, anything but a valid hello is fatal (close 4001).
 */
import assert from "node:assert/strict";
import {
  type HandoffTestApp,
  serveApp,
  sessionWithHandoff,
  setupHandoffApp,
} from "./support/handoff.ts";
import {
  openWebSocketChannel,
  passportFor,
  type PhoneChannel,
  playChip,
  playSelfie,
  requestResult,
  sayHello,
  scenarioByName,
} from "../phone/mod.ts";
import { LIMITS } from "../lib/handoff/protocol.ts";

async function expectError(channel: PhoneChannel, code: string): Promise<void> {
  const message = await channel.next();
  assert.equal(message.type, "error", JSON.stringify(message));
  assert.equal(message.code, code);
  assert.equal(message.fatal, false);
  channel.send({ v: 1, type: "ping" });
  assert.equal((await channel.next()).type, "pong", `still serving after ${code}`);
}

async function opened(t: HandoffTestApp, server: ReturnType<typeof serveApp>) {
  const h = await sessionWithHandoff(t);
  const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
  return { h, channel };
}

Deno.test("bad frames: typed errors, and the connection keeps serving to a result", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const { h, channel } = await opened(t, server);
    const hello = await sayHello(channel, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    const sha = "0".repeat(64);
    channel.sendRaw("x".repeat(LIMITS.maxFrameBytes + 1));
    await expectError(channel, "FRAME_TOO_LARGE");
    channel.sendRaw("{not json");
    await expectError(channel, "MALFORMED_MESSAGE");
    channel.send({ v: 1, type: "teleport" });
    await expectError(channel, "UNKNOWN_MESSAGE_TYPE");
    channel.send({ v: 1, type: "artifact_begin", artifact: "dg99", size: 4, sha256: sha });
    await expectError(channel, "UNKNOWN_ARTIFACT_KIND");
    channel.send({ v: 1, type: "artifact_chunk", artifact: "dg1", seq: 0, data: "AAAA" });
    await expectError(channel, "OUT_OF_ORDER");
    channel.send({ v: 1, type: "artifact_begin", artifact: "dg1", size: 3, sha256: sha });
    channel.send({ v: 1, type: "artifact_chunk", artifact: "dg1", seq: 1, data: "AAAA" });
    await expectError(channel, "OUT_OF_ORDER");
    channel.send({ v: 1, type: "artifact_chunk", artifact: "dg1", seq: 0, data: "AAAA" });
    channel.send({ v: 1, type: "artifact_end", artifact: "dg1" });
    await expectError(channel, "CHECKSUM_MISMATCH");
    channel.send({
      v: 1,
      type: "artifact_begin",
      artifact: "dg2",
      size: LIMITS.maxArtifactBytes + 1,
      sha256: sha,
    });
    await expectError(channel, "ARTIFACT_TOO_LARGE");
    channel.send({
      v: 1,
      type: "artifact_begin",
      artifact: "selfie_frame",
      index: 0,
      size: 10,
      sha256: sha,
    });
    await expectError(channel, "OUT_OF_ORDER");
    channel.send({ v: 1, type: "chip_authentication_relay", relay: { v: 1 } });
    await expectError(channel, "OUT_OF_ORDER");
    channel.send({
      v: 1,
      type: "hello",
      session_id: h.id,
      token: h.token,
      device_id: "phone-a",
      app_version: "1",
    });
    await expectError(channel, "ALREADY_HELLO");
    channel.send({ v: 2, type: "ping" });
    const wrongVersion = await channel.next();
    assert.equal(wrongVersion.code, "PROTOCOL_VERSION_UNSUPPORTED");
    assert.equal((await channel.closed).code, 4000);

    // The attempt survives on a new connection, which finishes it.
    const again = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    const resumed = await sayHello(again, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    assert.equal(resumed.aa_challenge, hello.aa_challenge);
    assert.deepEqual(resumed.received, []);
    again.send({ v: 1, type: "selfie_start" });
    const challenge = await again.next();
    for (let i = 0; i < LIMITS.maxSelfieFrames; i++) {
      again.send({
        v: 1,
        type: "artifact_begin",
        artifact: "selfie_frame",
        index: i,
        size: 10,
        sha256: sha,
      });
    }
    again.send({
      v: 1,
      type: "artifact_begin",
      artifact: "selfie_frame",
      index: 5,
      size: 10,
      sha256: sha,
    });
    await expectError(again, "TOO_MANY_SELFIE_FRAMES");
    again.send({
      v: 1,
      type: "artifact_begin",
      artifact: "selfie_frame",
      index: 0,
      size: LIMITS.maxSelfieFrameBytes + 1,
      sha256: sha,
    });
    await expectError(again, "ARTIFACT_TOO_LARGE");
    assert.equal(challenge.type, "pose_challenge");
    const passport = await passportFor(scenarioByName("success"), t.clock.now());
    await playChip(again, passport, resumed);
    await playSelfie(again, scenarioByName("success"));
    assert.equal((await requestResult(again)).status, "succeeded");
  } finally {
    await server.close();
    await t.close();
  }
});

Deno.test("bad frames: binary frames are refused without closing", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const h = await sessionWithHandoff(t);
    const socket = new WebSocket(server.wsUrl + h.mobilePath);
    const messages: Array<Record<string, unknown>> = [];
    const next = () =>
      new Promise<Record<string, unknown>>((resolve) => {
        const poll = () => messages.length ? resolve(messages.shift()!) : setTimeout(poll, 5);
        poll();
      });
    socket.onmessage = (e) => messages.push(JSON.parse(e.data));
    await new Promise((r) => socket.onopen = r);
    socket.send(
      JSON.stringify({
        v: 1,
        type: "hello",
        session_id: h.id,
        token: h.token,
        device_id: "a",
        app_version: "1",
      }),
    );
    assert.equal((await next()).type, "hello_ok");
    socket.send(new Uint8Array([1, 2, 3]));
    assert.equal((await next()).code, "BINARY_NOT_SUPPORTED");
    socket.send(JSON.stringify({ v: 1, type: "ping" }));
    assert.equal((await next()).type, "pong");
    const closed = new Promise((r) => socket.onclose = r);
    socket.close();
    await closed;
  } finally {
    await server.close();
    await t.close();
  }
});

Deno.test("before the hello: anything else is fatal (4001); a wrong token 4003", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const { h, channel } = await opened(t, server);
    channel.send({ v: 1, type: "selfie_start" });
    const first = await channel.next();
    assert.equal(first.code, "HELLO_REQUIRED");
    assert.equal(first.fatal, true);
    assert.equal((await channel.closed).code, 4001);
    const garbage = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    garbage.sendRaw("[]");
    assert.equal((await garbage.next()).code, "HELLO_REQUIRED");
    const wrong = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    wrong.send({
      v: 1,
      type: "hello",
      session_id: h.id,
      token: "nope",
      device_id: "a",
      app_version: "1",
    });
    assert.equal((await wrong.next()).code, "HANDOFF_TOKEN_INVALID");
    assert.equal((await wrong.closed).code, 4003);
  } finally {
    await server.close();
    await t.close();
  }
});
