/**
 * docs/api.md#the-public-verify-surface public verify endpoints (details, status, consent, cancel): every outcome and error
 * code provoked by a request, and the per-session and per-address rate limits.
 */
import assert from "node:assert/strict";
import {
  assertError,
  createSessionViaApi,
  type SessionsWorld,
  sessionsWorld,
} from "./support/sessions.ts";
import { claimAttempt, createAttempt } from "../lib/sessions/attempts.ts";
import { consumeCancelToken } from "../lib/sessions/cancel_tokens.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";
import { listSessionEvents } from "../lib/events/events.ts";
import { PUBLIC_RATE_LIMITS } from "../lib/sessions/http.ts";
import { newId } from "../lib/core/ids.ts";

const json = { "content-type": "application/json" };
const shareFields = {
  given_names: { required: false, reason: "To greet you" },
  age_over_18: { required: true, reason: "Adults only" },
};

function publicPost(world: SessionsWorld, path: string, body: unknown): Promise<Response> {
  return world.request(path, { method: "POST", headers: json, body: JSON.stringify(body) });
}

Deno.test("details: organization, mode, labelled share fields in order, consent; 404 for unknown ids", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const session = await createSessionViaApi(world, { share_fields: shareFields });
    const response = await world.request(`/v1/verify/session/${session.id}/details`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const { data } = await response.json();
    assert.match(data.organization_name, /^Org \d+$/);
    assert.equal(data.mode, "live");
    assert.equal(data.is_terminal, false);
    assert.deepEqual(
      data.share_fields.map((f: { key: string; label: string }) => [f.key, f.label]),
      [
        ["given_names", "Given names"],
        ["age_over_18", "Age over 18"],
        ["kayle_document_id", "Kayle Document ID"],
      ],
    );
    assert.equal(data.consent, null);
    assert.equal(JSON.stringify(data).includes("cancel"), false);
    await assertError(
      await world.request(`/v1/verify/session/${newId("vs")}/details`),
      404,
      "NOT_FOUND",
    );
    await assertError(await world.request(`/v1/verify/session/vs_nope/details`), 404, "NOT_FOUND");
  } finally {
    await world.close();
  }
});

Deno.test("consent: required missing, not requested, recorded in canonical order, fixed after claim, 410 once ended", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world, { share_fields: shareFields });
    const path = `/v1/verify/session/${session.id}/consent`;
    await assertError(
      await publicPost(world, path, { selected_field_keys: ["age_over_18"] }),
      400,
      "CONSENT_REQUIRED_FIELD_MISSING",
    );
    await assertError(
      await publicPost(world, path, {
        selected_field_keys: ["kayle_document_id", "age_over_18", "family_name"],
      }),
      400,
      "CONSENT_FIELD_NOT_REQUESTED",
    );
    await assertError(await publicPost(world, path, { selected: [] }), 400, "BAD_REQUEST");
    await assertError(await world.request(path, { method: "POST" }), 400, "BAD_REQUEST");
    const ok = await publicPost(world, path, {
      selected_field_keys: ["kayle_document_id", "age_over_18", "given_names"],
    });
    assert.equal(ok.status, 200);
    const { data } = await ok.json();
    assert.deepEqual(data.selected_field_keys, ["given_names", "age_over_18", "kayle_document_id"]);
    assert.match(data.contract_hash, /^[0-9a-f]{64}$/);
    const again = await (await publicPost(world, path, {
      selected_field_keys: ["kayle_document_id", "age_over_18"],
    })).json();
    assert.deepEqual(again.data.selected_field_keys, ["age_over_18", "kayle_document_id"]);
    assert.equal(again.data.contract_hash, data.contract_hash);
    const details = await (await world.request(`/v1/verify/session/${session.id}/details`)).json();
    assert.deepEqual(details.data.consent.selected_field_keys, [
      "age_over_18",
      "kayle_document_id",
    ]);
    const { attempt } = await createAttempt(world.deps, session.id);
    await claimAttempt(world.deps, attempt.id, { deviceId: "phone" });
    await assertError(
      await publicPost(world, path, { selected_field_keys: ["kayle_document_id", "age_over_18"] }),
      409,
      "SESSION_IN_PROGRESS",
    );
    world.clock.advance(60 * 60_000);
    await assertError(
      await publicPost(world, path, { selected_field_keys: ["kayle_document_id", "age_over_18"] }),
      410,
      "SESSION_EXPIRED",
    );
  } finally {
    await world.close();
  }
});

Deno.test("status: created, then bound to the phone, then terminal with the redirect carrying session_id", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world, {
      redirect_url: "https://rp.example/back?x=1",
    });
    const path = `/v1/verify/session/${session.id}/status`;
    let status = (await (await world.request(path)).json()).data;
    assert.deepEqual(status, {
      session_id: session.id,
      status: "created",
      is_terminal: false,
      same_device_only: false,
      attempts_remaining: 3,
      latest_attempt: null,
      redirect_url: null,
    });
    const { attempt } = await createAttempt(world.deps, session.id);
    await claimAttempt(world.deps, attempt.id, { deviceId: "phone" });
    status = (await (await world.request(path)).json()).data;
    assert.equal(status.status, "in_progress");
    assert.equal(status.same_device_only, true);
    assert.deepEqual(status.latest_attempt, {
      id: attempt.id,
      status: "in_progress",
      failure_code: null,
    });
    assert.equal(status.redirect_url, null);
    await world.request(`/v1/sessions/${session.id}/cancel`, {
      method: "POST",
      headers: world.auth,
    });
    status = (await (await world.request(path)).json()).data;
    assert.equal(status.is_terminal, true);
    assert.equal(status.attempts_remaining, 0);
    assert.equal(status.redirect_url, `https://rp.example/back?x=1&session_id=${session.id}`);
    assert.deepEqual(status.latest_attempt, {
      id: attempt.id,
      status: "cancelled",
      failure_code: "session_cancelled",
    });
  } finally {
    await world.close();
  }
});

Deno.test("public cancel: wrong token 401, first use 204, reuse 204 when terminal", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world);
    const path = `/v1/verify/session/${session.id}/cancel`;
    assert.ok(
      session.verification_url.endsWith(
        `/verify/${session.id}?cancel_token=${session.cancel_token}`,
      ),
    );
    await assertError(
      await publicPost(world, path, { cancel_token: "not-the-token" }),
      401,
      "CANCEL_TOKEN_INVALID",
    );
    const other = await createSessionViaApi(world);
    await assertError(
      await publicPost(world, path, { cancel_token: other.cancel_token }),
      401,
      "CANCEL_TOKEN_INVALID",
    );
    const first = await publicPost(world, path, { cancel_token: session.cancel_token });
    assert.equal(first.status, 204);
    assert.equal(await first.text(), "");
    assert.equal((await getSessionRecord(world.deps.kv, session.id))!.status, "cancelled");
    const reuse = await publicPost(world, path, { cancel_token: session.cancel_token });
    assert.equal(reuse.status, 204);
    const events = await listSessionEvents(world.deps.kv, session.id);
    assert.deepEqual(events.map((e) => [e.type, e.data]), [
      ["verification.session.cancelled", { reason: "cancelled", cancelled_by: "user" }],
    ]);
    await assertError(
      await publicPost(world, `/v1/verify/session/${newId("vs")}/cancel`, { cancel_token: "x" }),
      404,
      "NOT_FOUND",
    );
    await assertError(await publicPost(world, path, {}), 400, "BAD_REQUEST");
    await assertError(await world.request(path, { method: "POST" }), 400, "BAD_REQUEST");
  } finally {
    await world.close();
  }
});

Deno.test("public cancel: a consumed token on a session still open is 409 CANCEL_TOKEN_USED", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world);
    // In this design consumption and cancellation share one commit, so an open session with a
    // consumed token only comes from another layer spending the token (consumeCancelToken).
    assert.ok(await consumeCancelToken(world.deps, session.id));
    const path = `/v1/verify/session/${session.id}/cancel`;
    await assertError(
      await publicPost(world, path, { cancel_token: session.cancel_token }),
      409,
      "CANCEL_TOKEN_USED",
    );
    await assertError(
      await publicPost(world, path, { cancel_token: "wrong" }),
      401,
      "CANCEL_TOKEN_INVALID",
    );
    assert.equal((await getSessionRecord(world.deps.kv, session.id))!.status, "created");
    await world.request(`/v1/sessions/${session.id}/cancel`, {
      method: "POST",
      headers: world.auth,
    });
    assert.equal(
      (await publicPost(world, path, { cancel_token: session.cancel_token })).status,
      204,
    );
  } finally {
    await world.close();
  }
});

Deno.test("public cancel of a session that already ended (unused token) is 204 and adds no event", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world);
    world.clock.advance(60 * 60_000);
    const response = await publicPost(world, `/v1/verify/session/${session.id}/cancel`, {
      cancel_token: session.cancel_token,
    });
    assert.equal(response.status, 204);
    const types = (await listSessionEvents(world.deps.kv, session.id)).map((e) => e.type);
    assert.deepEqual(types, ["verification.session.expired"]);
  } finally {
    await world.close();
  }
});

Deno.test("public endpoints are rate-limited per session and per client address (429 with Retry-After)", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world);
    const path = `/v1/verify/session/${session.id}/status`;
    for (let i = 0; i < PUBLIC_RATE_LIMITS.perSession.status; i++) {
      assert.equal((await world.app.request(path)).status, 200);
    }
    const limited = await world.request(path);
    const error = await assertError(limited, 429, "RATE_LIMITED");
    assert.ok(error.message.length > 0);
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
    world.clock.advance(60_000);
    assert.equal((await world.request(path)).status, 200);
    // One request in this window so far; fill the address's budget with other sessions' ids.
    for (let i = 0; i < PUBLIC_RATE_LIMITS.perIp - 1; i++) {
      await world.app.request(`/v1/verify/session/${newId("vs")}/details`);
    }
    await assertError(
      await world.request(`/v1/verify/session/${newId("vs")}/details`),
      429,
      "RATE_LIMITED",
    );
  } finally {
    await world.close();
  }
});
