/**
 * Dashboard over HTTP: first-run setup, sign-in (and its rate limit), organizations, API keys
 * (shown once, disable/enable/delete), members and invitations, CSRF refusals.
 */
import assert from "node:assert/strict";
import { createTestApp, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import { issueSetupLink } from "../lib/accounts/setup.ts";
import { findApiKeyBySecret } from "../lib/api_keys/api_keys.ts";
import { getVerificationPolicy } from "../lib/accounts/verification_policy.ts";

async function signedIn() {
  const t = await createTestApp();
  const seeded = await seedOrganization(t.deps);
  const browser = new FakeBrowser(t);
  const res = await browser.post("/sign-in", { email: seeded.email, password: seeded.password });
  assert.equal(res.status, 303);
  return { t, browser, ...seeded };
}

Deno.test("first run: the setup link creates the owner and organization once", async () => {
  const t = await createTestApp();
  const link = await issueSetupLink(t.deps);
  assert.ok(link);
  const token = new URL(link).searchParams.get("token")!;
  const browser = new FakeBrowser(t);
  const page = await browser.get(`/setup?token=${token}`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(await page.text(), /Create the owner account/);
  const bad = await browser.post("/setup", {
    token,
    email: "o@example.test",
    password: "short",
    org_name: "Acme",
    org_slug: "acme",
  });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /at least 10 characters/);
  const done = await browser.post("/setup", {
    token,
    email: "o@example.test",
    password: "long enough pass",
    org_name: "Acme",
    org_slug: "acme",
  });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get("location"), "/organizations/acme");
  assert.equal((await browser.get("/organizations/acme")).status, 200);
  const again = await new FakeBrowser(t).get(`/setup?token=${token}`);
  assert.equal(again.status, 404);
  assert.equal(await issueSetupLink(t.deps), null, "no setup link once a user exists");
  await t.close();
});

Deno.test("sign-in: wrong password 401, unknown email 401, rate limit 429 with Retry-After", async () => {
  const t = await createTestApp();
  const { email } = await seedOrganization(t.deps);
  const browser = new FakeBrowser(t);
  const wrong = await browser.post("/sign-in", { email, password: "nope nope nope" });
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /Email or password is wrong/);
  assert.equal(
    (await browser.post("/sign-in", { email: "ghost@example.test", password: "x" })).status,
    401,
  );
  let last: Response | null = null;
  for (let i = 0; i < 10; i++) last = await browser.post("/sign-in", { email, password: "nope" });
  assert.equal(last!.status, 429);
  assert.ok(Number(last!.headers.get("retry-after")) > 0);
  assert.match(await last!.text(), /Too many sign-in attempts/);
  await t.close();
});

Deno.test("API keys page: create shows the key once; list, disable, enable, delete", async () => {
  const { t, browser, org } = await signedIn();
  const path = `/organizations/${org.slug}/api-keys`;
  const page = await (await browser.get(path)).text();
  const csrf = FakeBrowser.csrfOf(page);
  const created = await browser.post(path, {
    _csrf: csrf,
    action: "create",
    name: "Backend",
    scopes: ["sessions:write", "webhooks:read"],
    mode: "live",
  });
  assert.equal(created.status, 200);
  assert.equal(created.headers.get("cache-control"), "no-store");
  const html = await created.text();
  const secret = /kk_live_[a-z0-9]{32}/.exec(html)?.[0];
  assert.ok(secret, "the plaintext key is shown");
  assert.match(html, /data-island="SecretReveal"/);
  const key = await findApiKeyBySecret(t.deps, secret);
  assert.deepEqual(key?.scopes, ["sessions:write", "webhooks:read"]);
  const listed = await (await browser.get(path)).text();
  assert.doesNotMatch(listed, new RegExp(secret), "never shown again");
  assert.match(listed, new RegExp(`…${secret.slice(-4)}`));
  assert.equal(
    (await browser.post(path, { _csrf: csrf, action: "disable", key_id: key!.id })).status,
    303,
  );
  assert.equal((await findApiKeyBySecret(t.deps, secret))?.status, "disabled");
  assert.equal(
    (await browser.post(path, { _csrf: csrf, action: "enable", key_id: key!.id })).status,
    303,
  );
  assert.equal((await findApiKeyBySecret(t.deps, secret))?.status, "active");
  assert.equal(
    (await browser.post(path, { _csrf: csrf, action: "delete", key_id: key!.id })).status,
    303,
  );
  assert.equal(await findApiKeyBySecret(t.deps, secret), null);
  const invalid = await browser.post(path, {
    _csrf: csrf,
    action: "create",
    name: "No scopes",
    mode: "test",
  });
  assert.equal(invalid.status, 400);
  assert.match(await invalid.text(), /at least one scope/);
  await t.close();
});

Deno.test("CSRF: a cross-site form post and a post without the token are refused", async () => {
  const { t, browser, org } = await signedIn();
  const path = `/organizations/${org.slug}/api-keys`;
  const csrf = FakeBrowser.csrfOf(await (await browser.get(path)).text());
  const crossSite = await browser.post(path, {
    _csrf: csrf,
    action: "create",
    name: "evil",
    scopes: "sessions:write",
    mode: "live",
  }, {
    origin: "https://evil.example",
    "sec-fetch-site": "cross-site",
  });
  assert.equal(crossSite.status, 403);
  assert.equal((await crossSite.json()).error.code, "FORBIDDEN");
  const oldBrowser = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    origin: "https://evil.example",
  });
  const originOnly = await browser.send(path, {
    method: "POST",
    headers: oldBrowser,
    body: `_csrf=${csrf}&action=create&name=evil&scopes=sessions:write&mode=live`,
  });
  assert.equal(originOnly.status, 403, "judged by Origin without Fetch Metadata");
  const noToken = await browser.post(path, {
    action: "create",
    name: "evil",
    scopes: "sessions:write",
    mode: "live",
  });
  assert.equal(noToken.status, 403);
  const wrongToken = await browser.post(path, {
    _csrf: "0".repeat(64),
    action: "create",
    name: "evil",
    scopes: "sessions:write",
    mode: "live",
  });
  assert.equal(wrongToken.status, 403);
  const signOutCrossSite = await browser.post("/sign-out", { _csrf: csrf }, {
    origin: "https://evil.example",
    "sec-fetch-site": "cross-site",
  });
  assert.equal(signOutCrossSite.status, 403);
  await t.close();
});

Deno.test("organizations: members of one cannot see another; slugs are unique", async () => {
  const { t, browser } = await signedIn();
  const other = await seedOrganization(t.deps);
  assert.equal((await browser.get(`/organizations/${other.org.slug}/api-keys`)).status, 404);
  const csrf = FakeBrowser.csrfOf(await (await browser.get("/organizations/new")).text());
  assert.equal(
    (await browser.post("/organizations/new", { _csrf: csrf, name: "Dup", slug: other.org.slug }))
      .status,
    409,
  );
  assert.equal(
    (await browser.post("/organizations/new", { _csrf: csrf, name: "Bad", slug: "Not A Slug" }))
      .status,
    400,
  );
  const created = await browser.post("/organizations/new", {
    _csrf: csrf,
    name: "Second",
    slug: "second-org",
  });
  assert.equal(created.headers.get("location"), "/organizations/second-org");
  await t.close();
});

Deno.test("invitations: an owner invites, the invitee joins with the role, members cannot manage", async () => {
  const { t, browser, org } = await signedIn();
  const path = `/organizations/${org.slug}/members`;
  const csrf = FakeBrowser.csrfOf(await (await browser.get(path)).text());
  const invited =
    await (await browser.post(path, { _csrf: csrf, action: "invite", role: "member" })).text();
  const link = /http:\/\/127\.0\.0\.1:8787\/invitations\/[A-Za-z0-9_-]+/.exec(invited)?.[0];
  assert.ok(link);
  const invitee = new FakeBrowser(t);
  const invitePath = new URL(link).pathname;
  assert.match(await (await invitee.get(invitePath)).text(), new RegExp(`Join ${org.name}`));
  const joined = await invitee.post(invitePath, {
    email: "new@example.test",
    password: "a long password",
  });
  assert.equal(joined.status, 303);
  assert.equal((await invitee.get(invitePath)).status, 404, "one use");
  const memberPage = await (await invitee.get(path)).text();
  assert.match(memberPage, /new@example\.test/);
  const memberCsrf = FakeBrowser.csrfOf(memberPage);
  const refused = await invitee.post(path, { _csrf: memberCsrf, action: "invite", role: "owner" });
  assert.equal(refused.status, 403);
  const keysRefused = await invitee.post(`/organizations/${org.slug}/api-keys`, {
    _csrf: memberCsrf,
    action: "create",
    name: "x",
    scopes: "sessions:read",
    mode: "test",
  });
  assert.equal(keysRefused.status, 403);
  const policyRefused = await invitee.post(`/organizations/${org.slug}/settings`, {
    _csrf: memberCsrf,
    allow_without_anti_cloning: "on",
  });
  assert.equal(policyRefused.status, 403);
  await t.close();
});

Deno.test("sign-out ends the session", async () => {
  const { t, browser, org } = await signedIn();
  const csrf = FakeBrowser.csrfOf(await (await browser.get(`/organizations/${org.slug}`)).text());
  assert.equal((await browser.post("/sign-out", { _csrf: csrf })).status, 303);
  const after = await browser.get(`/organizations/${org.slug}`);
  assert.equal(after.status, 303);
  assert.match(after.headers.get("location")!, /^\/sign-in/);
  await t.close();
});

Deno.test("settings: owners change the verification policy; the page shows it", async () => {
  const { t, browser, org } = await signedIn();
  const path = `/organizations/${org.slug}/settings`;
  const page = await (await browser.get(path)).text();
  assert.doesNotMatch(page, /name="allow_without_anti_cloning" checked/);
  const csrf = FakeBrowser.csrfOf(page);
  const saved = await browser.post(path, { _csrf: csrf, allow_without_anti_cloning: "on" });
  assert.equal(saved.status, 303);
  assert.equal((await getVerificationPolicy(t.deps.kv, org.id)).allowWithoutAntiCloning, true);
  assert.match(await (await browser.get(`${path}?saved=1`)).text(), /The policy was saved/);
  await browser.post(path, { _csrf: csrf });
  assert.equal((await getVerificationPolicy(t.deps.kv, org.id)).allowWithoutAntiCloning, false);
  await t.close();
});
