/**
 * docs/privacy.md retention: an ended session is minimised 7 days after its end (redirect URL, device
 * binding, consent, cancel-token hash dropped) and deleted with its attempts after 30 days; open
 * sessions and recent ones are untouched; analytics counts stay.
 */
import assert from "node:assert/strict";
import { createSessionViaApi, postJson, sessionsWorld } from "./support/sessions.ts";
import {
  claimAttempt,
  completeAttempt,
  createAttempt,
  getAttempt,
} from "../lib/sessions/attempts.ts";
import { getConsent } from "../lib/sessions/consent.ts";
import {
  deleteEndedSessions,
  minimiseEndedSessions,
  runRetention,
} from "../lib/sessions/retention.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";

const DAY = 24 * 3600_000;

Deno.test("ended sessions are minimised after 7 days and deleted after 30", async () => {
  const world = await sessionsWorld();
  try {
    const ended = await createSessionViaApi(world, { redirect_url: "https://rp.example/back" });
    await postJson(world, `/v1/verify/session/${ended.id}/consent`, {
      selected_field_keys: ["kayle_document_id"],
    }, {
      "content-type": "application/json",
    });
    const { attempt } = await createAttempt(world.deps, ended.id);
    await claimAttempt(world.deps, attempt.id, { deviceId: "phone" });
    await completeAttempt(world.deps, attempt.id, {
      outcome: "failed",
      failureCode: "document_expired",
    });
    await postJson(world, `/v1/sessions/${ended.id}/cancel`, {});
    world.clock.advance(DAY);
    const recent = await createSessionViaApi(world, { redirect_url: "https://rp.example/back" });
    await postJson(world, `/v1/sessions/${recent.id}/cancel`, {});
    world.clock.advance(6 * DAY - 1);
    assert.equal(await minimiseEndedSessions(world.deps), 0);
    const deviceIdHash = (await getAttempt(world.deps.kv, attempt.id))!.deviceIdHash!;
    assert.ok(deviceIdHash);
    world.clock.advance(1);
    assert.equal(await minimiseEndedSessions(world.deps), 1);
    // The list indexes' copies of the session and its attempt were minimised with the records.
    const leftovers: string[] = [];
    for await (const e of world.deps.kv.list({ prefix: [] })) {
      const text = JSON.stringify(e.value, (_, v) => typeof v === "bigint" ? String(v) : v);
      if (!text?.includes(ended.id) && !text?.includes(attempt.id)) continue;
      if (text.includes("rp.example/back") || text.includes(deviceIdHash)) {
        leftovers.push(JSON.stringify(e.key));
      }
    }
    assert.deepEqual(leftovers, []);
    const listed = await (await world.request("/v1/sessions?limit=100&status=cancelled", {
      headers: world.auth,
    })).json();
    assert.equal(
      listed.data.find((s: { id: string }) => s.id === ended.id).redirect_url,
      null,
      "the list shows the minimised session",
    );
    const minimised = await getSessionRecord(world.deps.kv, ended.id);
    assert.equal(minimised!.redirectUrl, null);
    assert.equal(minimised!.deviceIdHash, null);
    assert.equal(minimised!.status, "cancelled");
    assert.equal(await getConsent(world.deps.kv, ended.id), null);
    assert.equal((await getAttempt(world.deps.kv, attempt.id))!.deviceIdHash, null);
    assert.equal(
      (await getSessionRecord(world.deps.kv, recent.id))!.redirectUrl,
      "https://rp.example/back",
    );
    const read = await (await world.request(`/v1/sessions/${ended.id}`, { headers: world.auth }))
      .json();
    assert.equal(read.data.redirect_url, null);
    world.clock.advance(23 * DAY);
    assert.equal(await deleteEndedSessions(world.deps), 1);
    assert.equal(
      (await world.request(`/v1/sessions/${ended.id}`, { headers: world.auth })).status,
      404,
    );
    assert.equal(await getAttempt(world.deps.kv, attempt.id), null);
    const list = await (await world.request("/v1/sessions?limit=100", { headers: world.auth }))
      .json();
    assert.deepEqual(list.data.map((s: { id: string }) => s.id), [recent.id]);
    const attempts = await (await world.request("/v1/sessions/attempts", { headers: world.auth }))
      .json();
    assert.deepEqual(attempts.data, []);
    world.clock.advance(DAY);
    assert.equal(await runRetention(world.deps, "instance"), true);
    assert.equal(await getSessionRecord(world.deps.kv, recent.id), null);
    const overview =
      await (await world.request("/v1/analytics/sessions/overview", { headers: world.auth }))
        .json();
    assert.equal(overview.data.by_status.cancelled, 2);
  } finally {
    await world.close();
  }
});

Deno.test("an open session is never touched by retention", async () => {
  const world = await sessionsWorld();
  try {
    const open = await createSessionViaApi(world);
    const { attempt } = await createAttempt(world.deps, open.id);
    await claimAttempt(world.deps, attempt.id, { deviceId: "phone" });
    world.clock.advance(59 * 60_000);
    assert.equal(await minimiseEndedSessions(world.deps), 0);
    assert.equal(await deleteEndedSessions(world.deps), 0);
    assert.equal((await getSessionRecord(world.deps.kv, open.id))!.status, "in_progress");
  } finally {
    await world.close();
  }
});
