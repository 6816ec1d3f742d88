/**
 * The phone's WebSocket on a real port: a whole verification by the reference phone over HTTP
 * and WebSocket, the token races (100 concurrent hellos, a second device, resume after a drop,
 * one live connection), the idle timeout, and a cancel racing a successful result.
 */
import assert from "node:assert/strict";
import { bearer } from "./support/app.ts";
import {
  createSession,
  type HandoffTestApp,
  publicCall,
  realBiometric,
  serveApp,
  sessionWithHandoff,
  setupHandoffApp,
} from "./support/handoff.ts";
import {
  httpPhoneApi,
  openWebSocketChannel,
  parsePhoneLink,
  passportFor,
  type PhoneChannel,
  playChip,
  playSelfie,
  requestResult,
  runPhone,
  sayHello,
  scenarioByName,
  uploadArtifact,
} from "../phone/mod.ts";
import { listSessionEvents } from "../lib/events/events.ts";
import { getAttempt } from "../lib/sessions/attempts.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";

async function withServer(
  options: Parameters<typeof setupHandoffApp>[0],
  body: (t: HandoffTestApp, server: ReturnType<typeof serveApp>) => Promise<void>,
): Promise<void> {
  const t = await setupHandoffApp(options);
  const server = serveApp(t);
  try {
    await body(t, server);
  } finally {
    await server.close();
    await t.close();
  }
}

async function errorOf(channel: PhoneChannel): Promise<{ code: string; closeCode: number | null }> {
  const message = await channel.next();
  assert.equal(message.type, "error");
  const closed = message.fatal ? await channel.closed : null;
  return { code: String(message.code), closeCode: closed?.code ?? null };
}

Deno.test("websocket: the reference phone verifies over HTTP and WebSocket (real checks)", async () => {
  await withServer({ biometric: await realBiometric() }, async (t, server) => {
    const { id, verificationUrl } = await createSession(t);
    const link = parsePhoneLink(verificationUrl);
    assert.equal(link.baseUrl, server.url);
    assert.equal(link.sessionId, id);
    const result = await runPhone({
      api: httpPhoneApi(link.baseUrl),
      sessionId: id,
      now: t.clock.now(),
    });
    assert.equal(result.status, "succeeded");
    assert.equal(result.sessionStatus, "completed");
    const status = await publicCall(t, "GET", `/v1/verify/session/${id}/status`);
    assert.equal(status.body.data.same_device_only, true);
    assert.equal(status.body.data.latest_attempt.status, "succeeded");
  });
});

Deno.test("websocket: 100 concurrent hellos with one token give exactly one claim", async () => {
  // 100 sockets from one address wait for their hello at once: lift the per-address cap (20).
  await withServer({ maxPendingSocketsPerAddress: 100 }, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const channels = await Promise.all(
      Array.from({ length: 100 }, () => openWebSocketChannel(server.wsUrl + h.mobilePath)),
    );
    const answers = await Promise.all(channels.map(async (channel, i) => {
      channel.send({
        v: 1,
        type: "hello",
        session_id: h.id,
        token: h.token,
        device_id: `device-${i}`,
        app_version: "t/1",
      });
      return await channel.next();
    }));
    const ok = answers.filter((m) => m.type === "hello_ok");
    assert.equal(ok.length, 1);
    const refused = answers.filter((m) => m.type === "error").map((m) => m.code);
    assert.equal(refused.length, 99);
    assert.deepEqual(new Set(refused), new Set(["HANDOFF_DEVICE_MISMATCH"]));
    const attempt = await getAttempt(t.deps.kv, h.attemptId);
    assert.ok(attempt?.claimedAt);
    assert.equal((await getSessionRecord(t.deps.kv, h.id))?.status, "in_progress");
    for (const channel of channels) channel.close();
    await Promise.all(channels.map((c) => c.closed));
  });
});

Deno.test("websocket: a second device is refused; the first resumes after a drop", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const url = server.wsUrl + h.mobilePath;
    const passport = await passportFor(scenarioByName("success"), t.clock.now());
    const first = await openWebSocketChannel(url);
    const hello = await sayHello(first, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    assert.equal(hello.resumed, false);
    await uploadArtifact(first, "sod", passport.files.sod);
    await uploadArtifact(first, "dg1", passport.files.dataGroups.get(1)!);
    first.close();
    await first.closed;

    const thief = await openWebSocketChannel(url);
    thief.send({
      v: 1,
      type: "hello",
      session_id: h.id,
      token: h.token,
      device_id: "phone-b",
      app_version: "t/1",
    });
    assert.deepEqual(await errorOf(thief), { code: "HANDOFF_DEVICE_MISMATCH", closeCode: 4007 });

    const again = await openWebSocketChannel(url);
    const resumed = await sayHello(again, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.attempt_id, h.attemptId);
    assert.deepEqual(resumed.received, ["sod", "dg1"]);
    assert.equal(resumed.aa_challenge, hello.aa_challenge);
    await playChip(again, passport, resumed);
    await playSelfie(again, scenarioByName("success"));
    const result = await requestResult(again);
    assert.equal(result.status, "succeeded");
    assert.equal((await again.closed).code, 1000);
    // The session is over: a replay is refused before the upgrade.
    const replay = await t.app.request(h.mobilePath, { headers: { upgrade: "websocket" } });
    assert.equal(replay.status, 410);
    assert.equal((await replay.json()).error.code, "SESSION_EXPIRED");
  });
});

Deno.test("websocket: one live connection per attempt (a reconnect replaces the old one)", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const url = server.wsUrl + h.mobilePath;
    const first = await openWebSocketChannel(url);
    await sayHello(first, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    const second = await openWebSocketChannel(url);
    await sayHello(second, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    assert.deepEqual(await errorOf(first), { code: "CONNECTION_REPLACED", closeCode: 4011 });
    second.send({ v: 1, type: "ping" });
    assert.equal((await second.next()).type, "pong");
    second.close();
  });
});

Deno.test("websocket: idle timeout closes with 4008; the phone resumes", async () => {
  await withServer({ idleTimeoutMs: 1500 }, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const url = server.wsUrl + h.mobilePath;
    const first = await openWebSocketChannel(url);
    await sayHello(first, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    assert.deepEqual(await errorOf(first), { code: "IDLE_TIMEOUT", closeCode: 4008 });
    const again = await openWebSocketChannel(url);
    assert.equal(
      (await sayHello(again, { sessionId: h.id, token: h.token, deviceId: "phone-a" })).resumed,
      true,
    );
    again.close();
  });
});

Deno.test("websocket: an expired token (5 minutes) is refused with 4005", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    t.clock.advance(5 * 60_000);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    channel.send({
      v: 1,
      type: "hello",
      session_id: h.id,
      token: h.token,
      device_id: "a",
      app_version: "t/1",
    });
    assert.deepEqual(await errorOf(channel), { code: "HANDOFF_TOKEN_EXPIRED", closeCode: 4005 });
  });
});

Deno.test("websocket: a claimed attempt makes a new handoff 409 SESSION_IN_PROGRESS", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    await sayHello(channel, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    const r = await publicCall(t, "POST", `/v1/verify/session/${h.id}/handoff`);
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, "SESSION_IN_PROGRESS");
    channel.close();
  });
});

Deno.test("websocket: a cancel racing a successful result leaves exactly one terminal event", async () => {
  await withServer({}, async (t, server) => {
    for (const delayMs of [0, 0, 5, 20, 60, 150]) {
      const h = await sessionWithHandoff(t);
      const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
      const hello = await sayHello(channel, {
        sessionId: h.id,
        token: h.token,
        deviceId: "phone-a",
      });
      await playChip(channel, await passportFor(scenarioByName("success"), t.clock.now()), hello);
      await playSelfie(channel, scenarioByName("success"));
      const cancel = new Promise((r) => setTimeout(r, delayMs)).then(() =>
        t.app.request(`/v1/sessions/${h.id}/cancel`, { method: "POST", headers: bearer(t.secret) })
      );
      const [result] = await Promise.all([requestResult(channel), cancel]);
      const session = await getSessionRecord(t.deps.kv, h.id);
      const terminal = (await listSessionEvents(t.deps.kv, h.id)).map((e) => e.type)
        .filter((type) => type.startsWith("verification.session."));
      assert.equal(terminal.length, 1, `delay ${delayMs}: ${terminal}`);
      const attempt = await getAttempt(t.deps.kv, h.attemptId);
      if (terminal[0] === "verification.session.succeeded") {
        assert.equal(session?.outcome, "succeeded");
        assert.equal(result.status, "succeeded");
      } else {
        assert.equal(terminal[0], "verification.session.cancelled");
        assert.equal(session?.status, "cancelled");
        assert.equal(attempt?.failureCode, "session_cancelled");
        assert.equal(result.status, "cancelled");
      }
    }
  });
});

Deno.test("websocket: the token of a superseded attempt is refused with ATTEMPT_ENDED (4010)", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    t.clock.advance(61_000);
    const newer = await publicCall(t, "POST", `/v1/verify/session/${h.id}/handoff`);
    assert.notEqual(newer.body.data.attempt_id, h.attemptId);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    channel.send({
      v: 1,
      type: "hello",
      session_id: h.id,
      token: h.token,
      device_id: "a",
      app_version: "1",
    });
    assert.deepEqual(await errorOf(channel), { code: "ATTEMPT_ENDED", closeCode: 4010 });
    const fresh = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    const hello = await sayHello(fresh, {
      sessionId: h.id,
      token: newer.body.data.mobile_write_token,
      deviceId: "a",
    });
    assert.equal(hello.attempt_id, newer.body.data.attempt_id);
    fresh.close();
  });
});

Deno.test("websocket: a cancel while the phone is connected reaches it at once as the result", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const channel = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    await sayHello(channel, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    const cancelled = await t.app.request(`/v1/sessions/${h.id}/cancel`, {
      method: "POST",
      headers: bearer(t.secret),
    });
    assert.equal(cancelled.status, 200);
    const message = await channel.next();
    assert.equal(message.type, "result");
    assert.equal(message.status, "cancelled");
    assert.equal(message.failure_code, "session_cancelled");
    assert.equal(message.session_status, "cancelled");
    assert.equal((await channel.closed).code, 1000);
  });
});
