/**
 * Dashboard sessions pages: the list with status and date filters and older pages, the session
 * page with contract, attempts and timeline, the admin cancel, and organization scoping.
 */
import assert from "node:assert/strict";
import { createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import { createSession } from "../lib/sessions/sessions.ts";
import { claimAttempt, completeAttempt, createAttempt } from "../lib/sessions/attempts.ts";
import { parseShareFields } from "../lib/sessions/share_fields.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";
import type { AppDeps } from "../lib/deps.ts";

async function newSession(deps: AppDeps, orgId: string) {
  const { session } = await createSession(deps, {
    orgId,
    mode: "test",
    shareFields: parseShareFields({ age_over_21: { required: true, reason: "Adults only" } }),
    redirectUrl: null,
    webhookEndpointId: null,
  });
  return session;
}

async function signedIn() {
  const t = await createTestApp();
  const seeded = await seedOrganization(t.deps);
  const browser = new FakeBrowser(t);
  assert.equal(
    (await browser.post("/sign-in", { email: seeded.email, password: seeded.password })).status,
    303,
  );
  return { t, browser, org: seeded.org };
}

Deno.test("sessions list: newest first, status and date filters, older pages, nav tab", async () => {
  const { t, browser, org } = await signedIn();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 27; i++) {
      ids.push((await newSession(t.deps, org.id)).id);
      t.clock.advance(3600_000);
    }
    const base = `/organizations/${org.slug}/sessions`;
    const first = await browser.get(base);
    assert.equal(first.status, 200);
    assert.match(first.headers.get("content-type") ?? "", /text\/html/);
    const html = await first.text();
    assert.match(
      html,
      /aria-current="page"[^>]*>Sessions|href="[^"]*\/sessions" aria-current="page"/,
    );
    const rows = [...html.matchAll(/data-session-id="(vs_[a-z0-9]+)"/g)].map((m) => m[1]);
    assert.equal(rows.length, 25);
    assert.equal(rows[0], ids[26]);
    const older = /href="([^"]*after=[^"]+)"/.exec(html)![1].replaceAll("&amp;", "&");
    const rest = [
      ...(await (await browser.get(older)).text()).matchAll(/data-session-id="(vs_[a-z0-9]+)"/g),
    ].map((m) => m[1]);
    assert.deepEqual(rest, [ids[1], ids[0]]);
    const expired = await (await browser.get(`${base}?status=expired`)).text();
    // Every session but the last hour's is past its 60 minutes: the list expires them first.
    assert.equal([...expired.matchAll(/data-session-id=/g)].length, 25);
    const day = await (await browser.get(`${base}?from=2026-06-02&to=2026-06-02`)).text();
    assert.equal([...day.matchAll(/data-session-id=/g)].length, 15); // 00:00 to 14:00 on June 2
    assert.equal((await browser.get(`${base}?after=vs_gone`)).status, 400);
  } finally {
    await t.close();
  }
});

Deno.test("session page: contract, attempts, timeline without personal data; admin cancel; 404 elsewhere", async () => {
  const { t, browser, org } = await signedIn();
  try {
    const session = await newSession(t.deps, org.id);
    const { attempt } = await createAttempt(t.deps, session.id);
    await claimAttempt(t.deps, attempt.id, { deviceId: "phone" });
    await completeAttempt(t.deps, attempt.id, {
      outcome: "failed",
      failureCode: "document_expired",
      riskScore: 0.5,
    });
    const path = `/organizations/${org.slug}/sessions/${session.id}`;
    const page = await browser.get(path);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /age_over_21/);
    assert.match(html, /Adults only/);
    assert.match(html, new RegExp(`data-attempt-id="${attempt.id}"`));
    assert.match(
      html,
      /Event verification\.attempt\.failed — failure_code: document_expired, attempts_remaining: 2/,
    );
    assert.match(html, /Attempt va_[a-z0-9]+… claimed by a phone/);
    const csrf = FakeBrowser.csrfOf(html);
    const cancel = await browser.post(path, { _csrf: csrf, action: "cancel" });
    assert.equal(cancel.status, 303);
    assert.equal((await getSessionRecord(t.deps.kv, session.id))!.status, "cancelled");
    assert.match(
      await (await browser.get(path)).text(),
      /cancelled_after_failed_attempt by integrator/,
    );
    const other = await seedOrganization(t.deps);
    await seedApiKey(t.deps, other.org.id);
    const foreign = await newSession(t.deps, other.org.id);
    assert.equal(
      (await browser.get(`/organizations/${org.slug}/sessions/${foreign.id}`)).status,
      404,
    );
    assert.equal((await browser.get(`/organizations/${org.slug}/sessions/nope`)).status, 404);
  } finally {
    await t.close();
  }
});
