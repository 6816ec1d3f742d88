/**
 * The analytics page and its counters (docs/dashboard.md "Analytics"): created, succeeded,
 * failed, expired and cancelled per day over 14 and 30 days, conversion rate, top failure codes
 * and median time to complete, all from counters kept in the commits that change them, per mode;
 * the overview's headline numbers; the page over HTTP as a signed-in member.
 */
import assert from "node:assert/strict";
import { FakeBrowser } from "./support/browser_session.ts";
import { createSessionViaApi, postJson, sessionsWorld } from "./support/sessions.ts";
import { seedApiKey } from "./support/app.ts";
import { claimAttempt, completeAttempt, createAttempt } from "../lib/sessions/attempts.ts";
import { expireSession } from "../lib/sessions/lifecycle.ts";
import { durationBucket } from "../lib/sessions/analytics.ts";
import { durationText, getAnalyticsReport } from "../lib/sessions/analytics_report.ts";
import { getOrganization } from "../lib/accounts/organizations.ts";

type World = Awaited<ReturnType<typeof sessionsWorld>>;

async function verdict(world: World, sessionId: string, failureCode: string | null) {
  const { attempt } = await createAttempt(world.deps, sessionId);
  await claimAttempt(world.deps, attempt.id, { deviceId: "phone-1" });
  await completeAttempt(
    world.deps,
    attempt.id,
    failureCode === null
      ? { outcome: "succeeded", riskScore: 0.1, claims: {}, selectedFieldKeys: [] }
      : { outcome: "failed", failureCode },
  );
}

Deno.test("analytics report: outcomes per day, conversion, failure codes, median, per mode", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const start = world.clock.now();
    // Day 1: one success after 40 s, one success after 100 s.
    const a = (await createSessionViaApi(world)).id;
    world.clock.advance(40_000);
    await verdict(world, a, null);
    const b = (await createSessionViaApi(world)).id;
    world.clock.advance(100_000);
    await verdict(world, b, null);
    // Day 2: a session that fails three times (document_expired ×2, face_mismatch ×1), one
    // expired by the test helper path, one cancelled.
    world.clock.advance(86_400_000);
    const c = (await createSessionViaApi(world)).id;
    await verdict(world, c, "document_expired");
    await verdict(world, c, "document_expired");
    world.clock.advance(500_000);
    await verdict(world, c, "face_mismatch");
    const d = (await createSessionViaApi(world)).id;
    await expireSession(world.deps, d, { now: true });
    const e = (await createSessionViaApi(world)).id;
    await postJson(world, `/v1/sessions/${e}/cancel`, undefined);
    // A live session is not counted in the test report.
    const { secret } = await seedApiKey(world.deps, world.orgId, { mode: "live" });
    await postJson(world, "/v1/sessions", {}, {
      authorization: `Bearer ${secret}`,
      "content-type": "application/json",
    });

    const report = await getAnalyticsReport(
      world.deps.kv,
      { orgId: world.orgId, mode: "test" },
      world.clock.now(),
      14,
    );
    assert.equal(report.daily.length, 14);
    const day1 = start.toISOString().slice(0, 10);
    const day2 = world.clock.now().toISOString().slice(0, 10);
    const row = (date: string) => report.daily.find((r) => r.date === date)!;
    assert.deepEqual(row(day1), {
      date: day1,
      created: 2,
      succeeded: 2,
      failed: 0,
      expired: 0,
      cancelled: 0,
    });
    assert.deepEqual(row(day2), {
      date: day2,
      created: 3,
      succeeded: 0,
      failed: 1,
      expired: 1,
      cancelled: 1,
    });
    assert.deepEqual(report.totals, {
      created: 5,
      succeeded: 2,
      failed: 1,
      expired: 1,
      cancelled: 1,
    });
    assert.equal(report.conversionRate, 2 / 5);
    assert.deepEqual(report.topFailureCodes, [
      { code: "document_expired", count: 2 },
      { code: "face_mismatch", count: 1 },
    ]);
    // Completed: 40 s, 100 s and 500 s → the median is in the ≤ 120 s bucket.
    assert.equal(report.completedTimed, 3);
    assert.equal(report.medianSecondsToComplete, 120);
    assert.equal(durationText(120), "≤ 2 min");
    assert.equal(durationText(90), "≤ 1 min 30 s");
    assert.equal(durationBucket(40_000), 45);

    const live = await getAnalyticsReport(
      world.deps.kv,
      { orgId: world.orgId, mode: "live" },
      world.clock.now(),
      30,
    );
    assert.equal(live.daily.length, 30);
    assert.equal(live.totals.created, 1);
    assert.equal(live.conversionRate, null);
    assert.equal(live.medianSecondsToComplete, null);

    // The page and the overview, signed in as the owner (test data by default).
    const org = (await getOrganization(world.deps.kv, world.orgId))!;
    const browser = new FakeBrowser(world);
    const owner = await ownerCredentials(world);
    await browser.post("/sign-in", owner);
    const page = await browser.get(`/organizations/${org.slug}/analytics?days=30`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /data-figure="created">5</);
    assert.match(html, /data-figure="conversion">40\.0 %</);
    assert.match(html, /data-figure="median">≤ 2 min</);
    assert.match(html, /<svg class="chart"[^>]*role="img"/);
    assert.equal((html.match(/data-series="created"/g) ?? []).length, 30);
    assert.ok(html.includes("<code>document_expired</code>"));
    const overview = await (await browser.get(`/organizations/${org.slug}`)).text();
    assert.match(overview, /data-figure="conversion">40\.0 %</);
    assert.ok(overview.includes(`/organizations/${org.slug}/analytics`));
  } finally {
    await world.close();
  }
});

/** The seeded owner's sign-in form fields. */
function ownerCredentials(world: World): Promise<Record<string, string>> {
  return Promise.resolve({ email: world.ownerEmail, password: world.ownerPassword });
}
