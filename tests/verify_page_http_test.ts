/**
 * The verify page without a browser (docs/verify-pages.md): what the server renders before any JavaScript
 * runs — consent screen, QR code and deep link, test-mode banner, terminal states — the no-JS
 * consent and two-step cancel forms, the page's security headers, and the public test-mode-only
 * `POST /v1/verify/session/:id/test_simulate` refusals.
 */
import assert from "node:assert/strict";
import {
  assertError,
  createSessionViaApi,
  type SessionsWorld,
  sessionsWorld,
} from "./support/sessions.ts";
import { getConsent } from "../lib/sessions/consent.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";
import { listSessionEvents } from "../lib/events/events.ts";
import { newId } from "../lib/core/ids.ts";
import { seedApiKey } from "./support/app.ts";
import { TEST_SIMULATE_PER_SESSION } from "../routes/v1/verify/session/[id]/test_simulate.ts";
import { appLinkOf } from "../islands/PhoneLanding.tsx";

const SHARE_FIELDS = {
  given_names: { required: true, reason: "To greet you by name" },
  age_over_21: { required: true, reason: "Only adults over 21 may book" },
  nationality_code: { required: false, reason: "Visa advice for your trip" },
};

const DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36";

async function getPage(
  world: SessionsWorld,
  path: string,
): Promise<{ response: Response; html: string }> {
  const response = await world.app.request(`http://127.0.0.1:8787${path}`, {
    headers: { accept: "text/html", "user-agent": DESKTOP },
  });
  assert.match(response.headers.get("content-type") ?? "", /text\/html/);
  return { response, html: await response.text() };
}

async function postForm(
  world: SessionsWorld,
  path: string,
  fields: Array<[string, string]>,
): Promise<Response> {
  return await world.app.request(`http://127.0.0.1:8787${path}`, {
    method: "POST",
    body: new URLSearchParams(fields).toString(),
    headers: {
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
      "sec-fetch-site": "same-origin",
      "user-agent": DESKTOP,
    },
  });
}

function pagePath(session: { verification_url: string }): string {
  const url = new URL(session.verification_url);
  return `${url.pathname}${url.search}`;
}

Deno.test("page: consent screen rendered on the server, private headers, no inline script or style", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const session = await createSessionViaApi(world, { share_fields: SHARE_FIELDS });
    const { response, html } = await getPage(world, pagePath(session));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    assert.match(
      response.headers.get("referrer-policy") ?? "",
      /^(same-origin|no-referrer)$/,
      "token kept in-site",
    );
    assert.match(response.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
    assert.doesNotMatch(html, /\sstyle="/, "no inline style");
    assert.ok(html.includes('href="/static/verify.css"'));
    for (
      const text of [
        "Org ",
        "Given names",
        "To greet you by name",
        "Age over 21",
        "Only adults over 21 may book",
      ]
    ) {
      assert.ok(html.includes(text), `shows ${text}`);
    }
    assert.doesNotMatch(html, /date of birth/i);
    assert.match(html, /<input type="hidden" name="selected" value="age_over_21"\/>/);
    assert.match(
      html,
      /<input type="checkbox" id="claim-age_over_21" value="age_over_21" checked disabled/,
    );
    assert.match(
      html,
      /<input type="checkbox" id="claim-nationality_code" name="selected" value="nationality_code" checked/,
    );
    assert.ok(html.includes("Nothing is kept"));
    assert.ok(!html.includes('data-testid="test-mode-banner"'), "no banner on a live session");
    assert.ok(!html.includes("qr-code"), "no QR before consent");
  } finally {
    await world.close();
  }
});

Deno.test("page: unknown and malformed ids render the not-found page (404)", async () => {
  const world = await sessionsWorld();
  try {
    for (const id of [newId("vs"), "vs_nope", "anything"]) {
      const { response, html } = await getPage(world, `/verify/${id}`);
      assert.equal(response.status, 404);
      assert.ok(html.includes("Verification not found"));
    }
  } finally {
    await world.close();
  }
});

Deno.test("page without JavaScript: consent form posts, then the QR code and the deep link show", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const session = await createSessionViaApi(world, { share_fields: SHARE_FIELDS });
    const path = pagePath(session);
    const missing = await postForm(world, path, [["intent", "consent"], [
      "selected",
      "given_names",
    ]]);
    assert.equal(missing.status, 200, "a selection without a required field is refused");
    assert.ok((await missing.text()).includes("Your choice could not be saved"));
    assert.equal(await getConsent(world.deps.kv, session.id), null);

    const posted = await postForm(world, path, [
      ["intent", "consent"],
      ["selected", "given_names"],
      ["selected", "age_over_21"],
      ["selected", "kayle_document_id"],
    ]);
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.get("location"), path, "back to the page, cancel token kept");
    const consent = await getConsent(world.deps.kv, session.id);
    assert.deepEqual(consent?.selectedFieldKeys, [
      "given_names",
      "age_over_21",
      "kayle_document_id",
    ]);

    const { html } = await getPage(world, path);
    assert.ok(!html.includes('data-testid="consent-form"'));
    assert.match(
      html,
      /<svg class="qr"[^>]*role="img"[^>]*aria-label="QR code with the link that continues/,
    );
    const link = /data-testid="deep-link">([^<]+)</.exec(html)?.[1].replaceAll("&amp;", "&");
    assert.match(link ?? "", /^http:\/\/127\.0\.0\.1:8787\/h#[A-Za-z0-9_-]{43}$/);
    assert.ok(!html.includes("Kayle ID app"), "no product named when none is configured");
    assert.ok(html.includes("Change what I share"), "the choice may change until a phone claims");
    assert.ok(html.includes("Waiting for your phone"));
  } finally {
    await world.close();
  }
});

Deno.test("page without JavaScript: cancel asks first, then cancels by the user; the page ends", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const session = await createSessionViaApi(world, {
      redirect_url: "https://rp.example.test/back?x=1",
    });
    const path = pagePath(session);
    const asked = await postForm(world, path, [["intent", "cancel_request"]]);
    assert.equal(asked.status, 200);
    const question = await asked.text();
    assert.ok(question.includes("Cancel this verification?"));
    assert.match(question, /name="intent" value="cancel"/);
    assert.equal(
      (await getSessionRecord(world.deps.kv, session.id))?.status,
      "created",
      "nothing yet",
    );

    const cancelled = await postForm(world, path, [["intent", "cancel"]]);
    assert.equal(cancelled.status, 303);
    assert.equal((await getSessionRecord(world.deps.kv, session.id))?.status, "cancelled");
    const events = await listSessionEvents(world.deps.kv, session.id);
    assert.deepEqual(
      events.map((e) => [e.type, (e.data as { cancelled_by?: string }).cancelled_by]),
      [
        ["verification.session.cancelled", "user"],
      ],
    );

    const { response, html } = await getPage(world, path);
    assert.equal(
      response.headers.get("refresh"),
      `5; url=https://rp.example.test/back?x=1&session_id=${session.id}`,
      "back to the relying party without JavaScript too",
    );
    assert.ok(html.includes("This verification was cancelled."));
    assert.ok(!html.includes('data-testid="cancel"'), "no cancel button on an ended session");
    assert.ok(!html.includes('data-testid="consent-form"'));
    assert.ok(
      html.includes(`href="https://rp.example.test/back?x=1&amp;session_id=${session.id}"`),
      "return link",
    );
  } finally {
    await world.close();
  }
});

Deno.test("page without JavaScript: a wrong cancel token is refused with a notice", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const session = await createSessionViaApi(world);
    const response = await postForm(world, `/verify/${session.id}?cancel_token=wrong`, [[
      "intent",
      "cancel",
    ]]);
    assert.equal(response.status, 200);
    assert.ok((await response.text()).includes("could not be cancelled"));
    assert.equal((await getSessionRecord(world.deps.kv, session.id))?.status, "created");
  } finally {
    await world.close();
  }
});

Deno.test("page: a test session shows the banner and, after consent, the simulate panel", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const session = await createSessionViaApi(world);
    const before = (await getPage(world, pagePath(session))).html;
    assert.ok(before.includes('data-testid="test-mode-banner"'));
    assert.ok(!before.includes('data-testid="simulate"'), "the panel follows consent");
    await postForm(world, pagePath(session), [["intent", "consent"], [
      "selected",
      "kayle_document_id",
    ]]);
    const after = (await getPage(world, pagePath(session))).html;
    assert.ok(after.includes('data-testid="simulate"'));
    assert.match(after, /<option selected value="success">success — /);
    assert.match(after, /<option value="another_face"/);
  } finally {
    await world.close();
  }
});

Deno.test("test_simulate: test sessions only, after consent; 404, 400 and a per-session limit", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const live = await seedApiKey(world.deps, world.orgId, { mode: "live" });
    const liveSession = (await (await world.request("/v1/sessions", {
      method: "POST",
      headers: { authorization: `Bearer ${live.secret}`, "content-type": "application/json" },
      body: "{}",
    })).json()).data;
    const simulate = (id: string, body: unknown = { scenario: "success" }) =>
      world.request(`/v1/verify/session/${id}/test_simulate`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    await assertError(await simulate(liveSession.id), 403, "TEST_MODE_ONLY");
    const testSession = await createSessionViaApi(world);
    await assertError(await simulate(testSession.id), 409, "CONSENT_REQUIRED");
    await assertError(
      await simulate(testSession.id, { scenario: "no_such_scenario" }),
      400,
      "BAD_REQUEST",
    );
    await assertError(await simulate(newId("vs")), 404, "NOT_FOUND");
    for (let i = 1; i < TEST_SIMULATE_PER_SESSION; i++) await simulate(liveSession.id);
    await assertError(await simulate(liveSession.id), 429, "RATE_LIMITED");
    assert.equal(
      (await getSessionRecord(world.deps.kv, liveSession.id))?.status,
      "created",
      "untouched",
    );
  } finally {
    await world.close();
  }
});

Deno.test("phone landing: the https deep link's page; the token stays in the fragment", async () => {
  const world = await sessionsWorld({ mode: "live" });
  try {
    const session = await createSessionViaApi(world);
    const { response, html } = await getPage(world, `/verify/${session.id}/phone`);
    assert.equal(response.status, 200);
    assert.ok(html.includes("Continue on this phone"));
    assert.ok(html.includes('data-island="PhoneLanding"'));
    assert.equal((await getPage(world, "/verify/vs_bad/phone")).response.status, 404);
    const fragment = `#v=1&session_id=${session.id}&token=abc&mobile_url=${
      encodeURIComponent("wss://x.test/m")
    }`;
    assert.equal(appLinkOf(fragment, session.id), `kayleid://verify?${fragment.slice(1)}`);
    assert.equal(appLinkOf(fragment, newId("vs")), null, "another session's link is refused");
    assert.equal(
      appLinkOf(`#session_id=${session.id}&token=abc&mobile_url=javascript:x`, session.id),
      null,
    );
    assert.equal(appLinkOf("", session.id), null);
  } finally {
    await world.close();
  }
});
