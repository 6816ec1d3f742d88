/** `POST /v1/verify/session/:id/handoff` (docs/mobile-protocol.md) through `app.request`. */
import assert from "node:assert/strict";
import { consentAll, createSession, publicCall, setupHandoffApp } from "./support/handoff.ts";
import { handoffKeys, hashHandoffToken } from "../lib/handoff/handoff.ts";
import { getAttempt } from "../lib/sessions/attempts.ts";
import { HANDOFF_RATE_LIMITS } from "../lib/handoff/http.ts";
import { handoffServices } from "../lib/handoff/services.ts";
import { createLogger } from "../lib/core/logger.ts";

Deno.test("handoff: 409 CONSENT_REQUIRED before consent", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    const r = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
    assert.equal(r.status, 409);
    assert.match(r.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(r.body.error.code, "CONSENT_REQUIRED");
  } finally {
    await t.close();
  }
});

Deno.test("handoff: the response shape, hashed storage, 60-second reuse, then a new attempt", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    await consentAll(t, id);
    const first = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
    assert.equal(first.status, 200);
    const data = first.body.data;
    assert.equal(data.v, 1);
    assert.equal(data.session_id, id);
    assert.match(data.attempt_id, /^va_[a-z0-9]{64}$/);
    assert.equal(data.mobile_url, `ws://127.0.0.1:8787/v1/verify/session/${id}/mobile`);
    assert.equal(Date.parse(data.expires_at) - t.clock.now().getTime(), 5 * 60_000);
    assert.match(data.deep_link, /^kayleid:\/\/verify\?/);
    assert.equal(new URL(data.deep_link).searchParams.get("token"), data.mobile_write_token);
    assert.ok(data.deep_link_https.startsWith(`http://127.0.0.1:8787/verify/${id}/phone#`));
    // Stored only as a keyed hash: no KV value contains the plaintext token.
    const tokenHash = await hashHandoffToken(t.deps, data.mobile_write_token);
    assert.ok((await t.deps.kv.get(handoffKeys.token(tokenHash))).value);
    for await (const entry of t.deps.kv.list({ prefix: [] })) {
      assert.ok(
        !JSON.stringify(entry.value, (_k, v) => typeof v === "bigint" ? String(v) : v).includes(
          data.mobile_write_token,
        ),
      );
    }
    t.clock.advance(59_000);
    const again = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
    assert.equal(again.body.data.mobile_write_token, data.mobile_write_token);
    assert.equal(again.body.data.attempt_id, data.attempt_id);
    assert.equal(again.body.data.expires_at, data.expires_at);
    t.clock.advance(2_000);
    const later = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
    assert.equal(later.status, 200);
    assert.notEqual(later.body.data.mobile_write_token, data.mobile_write_token);
    assert.notEqual(later.body.data.attempt_id, data.attempt_id);
    const old = await getAttempt(t.deps.kv, data.attempt_id);
    assert.equal(old?.status, "cancelled");
    assert.equal(old?.failureCode, "handoff_superseded");
  } finally {
    await t.close();
  }
});

Deno.test("handoff: concurrent requests share one token", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    await consentAll(t, id);
    const all = await Promise.all(
      Array.from({ length: 10 }, () => publicCall(t, "POST", `/v1/verify/session/${id}/handoff`)),
    );
    assert.deepEqual(new Set(all.map((r) => r.status)), new Set([200]));
    assert.equal(new Set(all.map((r) => r.body.data.mobile_write_token)).size, 1);
  } finally {
    await t.close();
  }
});

Deno.test("handoff: 410 SESSION_EXPIRED on a terminal session, 404 for unknown ids", async () => {
  const t = await setupHandoffApp();
  try {
    const { id, cancelToken } = await createSession(t);
    await consentAll(t, id);
    const cancel = await publicCall(t, "POST", `/v1/verify/session/${id}/cancel`, {
      cancel_token: cancelToken,
    });
    assert.equal(cancel.status, 204);
    const r = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
    assert.equal(r.status, 410);
    assert.equal(r.body.error.code, "SESSION_EXPIRED");
    const { id: other } = await createSession(t);
    await consentAll(t, other);
    t.clock.advance(61 * 60_000);
    assert.equal((await publicCall(t, "POST", `/v1/verify/session/${other}/handoff`)).status, 410);
    const missing = await publicCall(t, "POST", `/v1/verify/session/vs_${"a".repeat(64)}/handoff`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "NOT_FOUND");
    assert.equal((await publicCall(t, "POST", `/v1/verify/session/nope/handoff`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("mobile: 426 WEBSOCKET_REQUIRED without an upgrade", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    const r = await publicCall(t, "GET", `/v1/verify/session/${id}/mobile`);
    assert.equal(r.status, 426);
    assert.match(r.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(r.body.error.code, "WEBSOCKET_REQUIRED");
  } finally {
    await t.close();
  }
});

Deno.test("mobile: 400 BAD_REQUEST for a WebSocket handshake without the rest of it", async () => {
  const t = await setupHandoffApp();
  const errors: string[] = [];
  t.deps.logger = createLogger({ sink: (line, level) => level === "error" && errors.push(line) });
  try {
    const { id } = await createSession(t);
    const handshakes: Array<Record<string, string>> = [
      { upgrade: "websocket" },
      { upgrade: "websocket", connection: "Upgrade", "sec-websocket-version": "13" },
      { upgrade: "websocket", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" },
    ];
    for (const headers of handshakes) {
      const response = await t.app.request(`/v1/verify/session/${id}/mobile`, { headers });
      assert.equal(response.status, 400, JSON.stringify(headers));
      const body = await response.json();
      assert.equal(body.error.code, "BAD_REQUEST");
      assert.match(body.error.hint, /Sec-WebSocket-Key/);
    }
    assert.deepEqual(errors, [], "a client's mistake is not logged as a server failure");
    assert.equal(handoffServices(t.deps).pendingSockets.size, 0, "no socket is counted");
  } finally {
    await t.close();
  }
});

Deno.test("handoff: 429 RATE_LIMITED with Retry-After past the per-session limit, and a new window", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    await consentAll(t, id);
    for (let i = 0; i < HANDOFF_RATE_LIMITS.handoff; i++) {
      const r = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
      assert.equal(r.status, 200);
    }
    const limited = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, "RATE_LIMITED");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    // Another session is not affected by this session's bucket.
    const other = await createSession(t);
    await consentAll(t, other.id);
    assert.equal(
      (await publicCall(t, "POST", `/v1/verify/session/${other.id}/handoff`)).status,
      200,
    );
    t.clock.advance(60_000);
    assert.equal((await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`)).status, 200);
  } finally {
    await t.close();
  }
});
