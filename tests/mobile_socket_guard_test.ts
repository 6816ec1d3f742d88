/**
 * The phone's socket before its hello: the upgrade is refused for an unknown (404) or ended (410)
 * session; only a hello is accepted, within the hello deadline (injected short here); a ping gets
 * no pong and does not keep the socket open; unauthenticated sockets per address are capped (429
 * before upgrading).
 */
import assert from "node:assert/strict";
import { bearer } from "./support/app.ts";
import {
  createSession,
  type HandoffTestApp,
  serveApp,
  sessionWithHandoff,
  setupHandoffApp,
} from "./support/handoff.ts";
import { openWebSocketChannel, type PhoneChannel, requestResult, sayHello } from "../phone/mod.ts";
import type { HandoffServices } from "../lib/handoff/services.ts";

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

async function fatalOf(channel: PhoneChannel): Promise<{ code: string; close: number }> {
  const message = await channel.next();
  assert.equal(message.type, "error", JSON.stringify(message));
  assert.equal(message.fatal, true);
  return { code: String(message.code), close: (await channel.closed).code };
}

/** A WebSocket upgrade over a raw socket, to read the HTTP status of a refusal. */
async function rawUpgrade(url: string): Promise<{ status: number; head: string }> {
  const { hostname, port, pathname } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    await conn.write(new TextEncoder().encode(
      `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        "Sec-WebSocket-Version: 13\r\n\r\n",
    ));
    let head = "";
    const buffer = new Uint8Array(4096);
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return { status: Number(head.split(" ")[1]), head };
  } finally {
    conn.close();
  }
}

const pendingOf = (t: HandoffTestApp) =>
  [...(t.deps.services.handoff as HandoffServices).pendingSockets.values()].reduce(
    (a, b) => a + b,
    0,
  );

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), "condition never held");
}

Deno.test("mobile upgrade: 404 for an unknown session, 410 for an ended one, before upgrading", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    const unknown = id.slice(0, -4) + (id.endsWith("aaaa") ? "bbbb" : "aaaa");
    const headers = { upgrade: "websocket" };
    const missing = await t.app.request(`/v1/verify/session/${unknown}/mobile`, { headers });
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "NOT_FOUND");
    const cancelled = await t.app.request(`/v1/sessions/${id}/cancel`, {
      method: "POST",
      headers: bearer(t.secret),
    });
    assert.equal(cancelled.status, 200);
    const ended = await t.app.request(`/v1/verify/session/${id}/mobile`, { headers });
    assert.equal(ended.status, 410);
    assert.equal((await ended.json()).error.code, "SESSION_EXPIRED");
  } finally {
    await t.close();
  }
});

Deno.test("mobile hello: a socket that never says hello is closed at the deadline (4009)", async () => {
  await withServer({ helloTimeoutMs: 200 }, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const silent = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    assert.deepEqual(await fatalOf(silent), { code: "HELLO_TIMEOUT", close: 4009 });
    assert.equal(pendingOf(t), 0, "the closed socket is no longer counted");
  });
});

Deno.test("mobile hello: a ping before the hello gets no pong and closes the socket (4001)", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const pinger = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    pinger.send({ v: 1, type: "ping" });
    assert.deepEqual(await fatalOf(pinger), { code: "HELLO_REQUIRED", close: 4001 });
  });
});

Deno.test("mobile hello: after a hello in time the deadline no longer applies", async () => {
  await withServer({ helloTimeoutMs: 1000 }, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const phone = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    await sayHello(phone, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    await new Promise((r) => setTimeout(r, 1500)); // past the hello deadline, inside the idle one
    phone.send({ v: 1, type: "ping" });
    assert.equal((await phone.next()).type, "pong");
    phone.close();
    await phone.closed;
  });
});

Deno.test("mobile hello: a replayed token after a failed attempt is HANDOFF_TOKEN_CONSUMED", async () => {
  await withServer({}, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const phone = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    await sayHello(phone, { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    const result = await requestResult(phone, false);
    assert.equal(result.status, "failed");
    await phone.closed;
    const replay = await openWebSocketChannel(server.wsUrl + h.mobilePath);
    replay.send({
      v: 1,
      type: "hello",
      session_id: h.id,
      token: h.token,
      device_id: "phone-a",
      app_version: "t/1",
    });
    assert.equal((await fatalOf(replay)).code, "HANDOFF_TOKEN_CONSUMED");
  });
});

Deno.test("mobile cap: past 3 sockets waiting for their hello, one address gets 429 before upgrading", async () => {
  await withServer({ maxPendingSocketsPerAddress: 3 }, async (t, server) => {
    const h = await sessionWithHandoff(t);
    const url = server.wsUrl + h.mobilePath;
    const waiting = [];
    for (let i = 0; i < 3; i++) waiting.push(await openWebSocketChannel(url));
    await until(() => pendingOf(t) === 3);
    const refused = await rawUpgrade(url);
    assert.equal(refused.status, 429, refused.head);
    assert.match(refused.head, /retry-after: \d+/i);
    // A hello frees its slot: the socket is no longer unauthenticated.
    await sayHello(waiting[0], { sessionId: h.id, token: h.token, deviceId: "phone-a" });
    assert.equal(pendingOf(t), 2);
    const fourth = await openWebSocketChannel(url);
    assert.equal(pendingOf(t), 3);
    // So does a close.
    waiting[1].close();
    await until(() => pendingOf(t) === 2);
    const fifth = await openWebSocketChannel(url);
    for (const channel of [waiting[0], waiting[2], fourth, fifth]) channel.close();
    await Promise.all([waiting[0], waiting[2], fourth, fifth].map((c) => c.closed));
  });
});
