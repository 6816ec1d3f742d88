/**
 * Passkeys over HTTP: register on `/account`, sign in with a passkey, and every refusal
 * (CSRF, unknown credential, replayed or expired challenge, wrong origin, counter regression,
 * the sign-in limits (password failures never lock a passkey), another user's passkey, an IP-address public URL).
 */
import assert from "node:assert/strict";
import { createTestApp, seedOrganization, type TestApp } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import { SoftAuthenticator } from "./support/passkey_authenticator.ts";
import {
  createPasskey,
  listPasskeys,
  MAX_PASSKEYS_PER_USER,
  PASSKEY_CHALLENGE_TTL_MS,
} from "../lib/accounts/passkeys.ts";
import { PASSKEY_SIGN_IN_LIMIT } from "../routes/(dashboard)/passkeys/verify.ts";
import { SIGN_IN_THROTTLE } from "../lib/accounts/sign_in_throttle.ts";

const ORIGIN = "http://localhost:8787";

async function signedIn(t?: TestApp) {
  t ??= await createTestApp({ publicUrl: ORIGIN });
  const seeded = await seedOrganization(t.deps);
  const browser = new FakeBrowser(t, ORIGIN);
  const res = await browser.post("/sign-in", { email: seeded.email, password: seeded.password });
  assert.equal(res.status, 303);
  const csrf = FakeBrowser.csrfOf(await (await browser.get("/account")).text());
  return { t, browser, csrf, ...seeded };
}

/** POSTs JSON from the same origin with the jar's cookies; returns status and envelope. */
async function postJson(
  browser: FakeBrowser,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await browser.send(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: {
      "content-type": "application/json",
      origin: ORIGIN,
      "sec-fetch-site": "same-origin",
      ...headers,
    },
  });
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  // deno-lint-ignore no-explicit-any
  return { res, status: res.status, envelope: await res.json() as any };
}

async function registerPasskey(browser: FakeBrowser, csrf: string, name = "Laptop") {
  const authenticator = await SoftAuthenticator.create();
  const options = await postJson(browser, "/account/passkeys/options", {}, {
    "x-csrf-token": csrf,
  });
  assert.equal(options.status, 200);
  const credential = await authenticator.register(options.envelope.data, ORIGIN);
  const done = await postJson(browser, "/account/passkeys/verify", { name, credential }, {
    "x-csrf-token": csrf,
  });
  assert.equal(done.status, 201);
  return { authenticator, id: done.envelope.data.id as string };
}

async function signInWithPasskey(browser: FakeBrowser, authenticator: SoftAuthenticator) {
  const options = await postJson(browser, "/passkeys/options", {});
  assert.equal(options.status, 200);
  const credential = await authenticator.authenticate(options.envelope.data, ORIGIN);
  return await postJson(browser, "/passkeys/verify", { credential, next: "/account" });
}

Deno.test("passkeys: add on /account, sign out, sign in with the passkey alone", async () => {
  const { t, browser, csrf, org } = await signedIn();
  const empty = await browser.get("/account");
  assert.equal(empty.status, 200);
  assert.match(empty.headers.get("content-type")!, /text\/html/);
  const html = await empty.text();
  assert.match(html, /No passkeys yet/);
  assert.match(html, /data-island="PasskeyRegister"/);
  const { authenticator, id } = await registerPasskey(browser, csrf, "Work laptop");
  assert.equal(id, authenticator.credentialId);
  assert.match(await (await browser.get("/account")).text(), /value="Work laptop"/);
  assert.equal((await browser.post("/sign-out", { _csrf: csrf })).status, 303);
  assert.equal(browser.cookies.size, 0);
  const anonymous = new FakeBrowser(t, ORIGIN);
  const signIn = await signInWithPasskey(anonymous, authenticator);
  assert.equal(signIn.status, 200);
  assert.deepEqual(signIn.envelope, { data: { redirect: "/account" }, error: null });
  assert.equal(anonymous.cookies.size, 1, "the same cookie session is started");
  const home = await anonymous.get("/");
  assert.equal(home.status, 303);
  assert.equal(home.headers.get("location"), `/organizations/${org.slug}`);
  const used = await (await anonymous.get("/account")).text();
  assert.match(used, /value="Work laptop"/);
  assert.doesNotMatch(used, /<td>never<\/td>/, "the last use is recorded");
  await t.close();
});

Deno.test("passkeys: JSON posts need the session's X-CSRF-Token; signed out is 401", async () => {
  const { t, browser } = await signedIn();
  const missing = await postJson(browser, "/account/passkeys/options", {});
  assert.equal(missing.status, 403);
  assert.equal(missing.envelope.error.code, "FORBIDDEN");
  const wrong = await postJson(browser, "/account/passkeys/options", {}, {
    "x-csrf-token": "0".repeat(64),
  });
  assert.equal(wrong.status, 403);
  const anonymous = await postJson(new FakeBrowser(t, ORIGIN), "/account/passkeys/options", {});
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.envelope.error.code, "UNAUTHORIZED");
  const crossSite = await postJson(new FakeBrowser(t, ORIGIN), "/passkeys/options", {}, {
    "sec-fetch-site": "cross-site",
    origin: "https://evil.example",
  });
  assert.equal(crossSite.status, 403);
  const page = await new FakeBrowser(t, ORIGIN).get("/account");
  assert.equal(page.status, 303);
  assert.equal(page.headers.get("location"), "/sign-in?next=%2Faccount");
  await t.close();
});

Deno.test("passkeys: unknown credential, replayed and expired challenge, wrong origin", async () => {
  const { t, browser, csrf } = await signedIn();
  const { authenticator } = await registerPasskey(browser, csrf);
  const anonymous = new FakeBrowser(t, ORIGIN);
  const stranger = await SoftAuthenticator.create();
  const unknown = await signInWithPasskey(anonymous, stranger);
  assert.equal(unknown.status, 401);
  assert.equal(unknown.envelope.error.code, "PASSKEY_UNKNOWN_CREDENTIAL");
  const options = await postJson(anonymous, "/passkeys/options", {});
  const credential = await authenticator.authenticate(options.envelope.data, ORIGIN);
  assert.equal((await postJson(anonymous, "/passkeys/verify", { credential })).status, 200);
  const replay = await postJson(new FakeBrowser(t, ORIGIN), "/passkeys/verify", { credential });
  assert.equal(replay.status, 400);
  assert.equal(replay.envelope.error.code, "PASSKEY_CHALLENGE_INVALID");
  const late = await postJson(anonymous, "/passkeys/options", {});
  t.clock.advance(PASSKEY_CHALLENGE_TTL_MS + 1000);
  const expired = await postJson(anonymous, "/passkeys/verify", {
    credential: await authenticator.authenticate(late.envelope.data, ORIGIN),
  });
  assert.equal(expired.status, 400);
  assert.equal(expired.envelope.error.code, "PASSKEY_CHALLENGE_INVALID");
  const fresh = await postJson(anonymous, "/passkeys/options", {});
  const phished = await postJson(anonymous, "/passkeys/verify", {
    credential: await authenticator.authenticate(fresh.envelope.data, "https://evil.example"),
  });
  assert.equal(phished.status, 401);
  assert.equal(phished.envelope.error.code, "PASSKEY_VERIFICATION_FAILED");
  const malformed = await postJson(anonymous, "/passkeys/verify", { credential: { id: "x" } });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.envelope.error.code, "BAD_REQUEST");
  await t.close();
});

Deno.test("passkeys: a counter that goes backwards is refused", async () => {
  const { t, browser, csrf } = await signedIn();
  const { authenticator } = await registerPasskey(browser, csrf);
  authenticator.counter = 10;
  assert.equal((await signInWithPasskey(new FakeBrowser(t, ORIGIN), authenticator)).status, 200);
  authenticator.counter = 4;
  const cloned = await signInWithPasskey(new FakeBrowser(t, ORIGIN), authenticator);
  assert.equal(cloned.status, 401);
  assert.equal(cloned.envelope.error.code, "PASSKEY_COUNTER_REGRESSED");
  await t.close();
});

Deno.test("passkeys: wrong passwords never lock passkey sign-in, even from the same address", async () => {
  const { t, browser, csrf, email } = await signedIn();
  const { authenticator } = await registerPasskey(browser, csrf);
  const attacker = new FakeBrowser(t, ORIGIN);
  for (let i = 0; i < SIGN_IN_THROTTLE.addressFailures; i++) {
    assert.equal((await attacker.post("/sign-in", { email, password: "wrong guess" })).status, 401);
  }
  assert.equal((await attacker.post("/sign-in", { email, password: "x" })).status, 429);
  // The same address (a shared office network): the owner's passkey still signs in.
  const owner = new FakeBrowser(t, ORIGIN);
  const signIn = await signInWithPasskey(owner, authenticator);
  assert.equal(signIn.status, 200);
  assert.equal(owner.cookies.size, 1);
  await t.close();
});

Deno.test("passkeys: passkey sign-in has its own per-address limit (429)", async () => {
  const t = await createTestApp({ publicUrl: ORIGIN });
  const { email, password } = await seedOrganization(t.deps);
  const browser = new FakeBrowser(t, ORIGIN);
  for (let i = 0; i < PASSKEY_SIGN_IN_LIMIT.perAddress; i++) {
    assert.equal((await postJson(browser, "/passkeys/verify", {})).status, 400);
  }
  const limited = await postJson(browser, "/passkeys/verify", {});
  assert.equal(limited.status, 429);
  assert.equal(limited.envelope.error.code, "RATE_LIMITED");
  assert.ok(Number(limited.res.headers.get("retry-after")) > 0);
  const byPassword = await browser.post("/sign-in", { email, password });
  assert.equal(byPassword.status, 303, "the password form keeps its own count");
  await t.close();
});

Deno.test("passkeys: rename and remove need CSRF; another user's passkey is 404", async () => {
  const t = await createTestApp({ publicUrl: ORIGIN });
  const alice = await signedIn(t);
  const bob = await signedIn(t);
  const { id } = await registerPasskey(alice.browser, alice.csrf, "Alice key");
  const noToken = await alice.browser.post("/account", { action: "remove", id });
  assert.equal(noToken.status, 403);
  const foreign = await bob.browser.post("/account", { action: "remove", id, _csrf: bob.csrf });
  assert.equal(foreign.status, 404);
  const foreignRename = await bob.browser.post("/account", {
    action: "rename",
    id,
    name: "mine now",
    _csrf: bob.csrf,
  });
  assert.equal(foreignRename.status, 404);
  const renamed = await alice.browser.post("/account", {
    action: "rename",
    id,
    name: "Phone",
    _csrf: alice.csrf,
  });
  assert.equal(renamed.status, 200);
  assert.match(await renamed.text(), /value="Phone"/);
  const removed = await alice.browser.post("/account", {
    action: "remove",
    id,
    _csrf: alice.csrf,
  });
  assert.equal(removed.status, 200);
  const after = await removed.text();
  assert.match(after, /Passkey removed/);
  assert.match(after, /No passkeys yet/);
  await t.close();
});

Deno.test("passkeys: an IP-address public URL explains why passkeys are off", async () => {
  const t = await createTestApp();
  const { email, password } = await seedOrganization(t.deps);
  const browser = new FakeBrowser(t);
  assert.equal((await browser.post("/sign-in", { email, password })).status, 303);
  const page = await (await browser.get("/account")).text();
  assert.match(page, /Passkeys need a domain name: set KAYLE_PUBLIC_URL/);
  assert.doesNotMatch(page, /data-island="PasskeyRegister"/);
  const options = await browser.send("/passkeys/options", {
    method: "POST",
    headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
    body: "{}",
  });
  assert.equal(options.status, 409);
  assert.equal((await options.json()).error.code, "PASSKEYS_UNAVAILABLE");
  await t.close();
});

Deno.test("passkeys: the same authenticator twice is 409 PASSKEY_ALREADY_REGISTERED", async () => {
  const { t, browser, csrf, ownerId } = await signedIn();
  const { authenticator } = await registerPasskey(browser, csrf);
  const options = await postJson(browser, "/account/passkeys/options", {}, {
    "x-csrf-token": csrf,
  });
  const credential = await authenticator.register(options.envelope.data, ORIGIN);
  const again = await postJson(browser, "/account/passkeys/verify", { name: "Again", credential }, {
    "x-csrf-token": csrf,
  });
  assert.equal(again.status, 409);
  assert.equal(again.envelope.error.code, "PASSKEY_ALREADY_REGISTERED");
  assert.match(again.envelope.error.message, /already registered/);
  const stored = await listPasskeys(t.deps.kv, ownerId);
  assert.deepEqual(stored.map((p) => p.name), ["Laptop"], "the first passkey is untouched");
  await t.close();
});

Deno.test("passkeys: past the per-account maximum a new one is 409 PASSKEY_LIMIT_REACHED", async () => {
  const { t, browser, csrf, ownerId } = await signedIn();
  for (let i = 0; i < MAX_PASSKEYS_PER_USER; i++) {
    await createPasskey(t.deps.kv, {
      id: `seeded-${i}`,
      userId: ownerId,
      publicKey: new Uint8Array(65),
      counter: 0,
      transports: [],
      name: `Seeded ${i}`,
      createdAt: t.deps.clock.now().toISOString(),
      lastUsedAt: null,
    });
  }
  const authenticator = await SoftAuthenticator.create();
  const options = await postJson(browser, "/account/passkeys/options", {}, {
    "x-csrf-token": csrf,
  });
  const credential = await authenticator.register(options.envelope.data, ORIGIN);
  const refused = await postJson(browser, "/account/passkeys/verify", {
    name: "One more",
    credential,
  }, {
    "x-csrf-token": csrf,
  });
  assert.equal(refused.status, 409);
  assert.equal(refused.envelope.error.code, "PASSKEY_LIMIT_REACHED");
  assert.equal((await listPasskeys(t.deps.kv, ownerId)).length, MAX_PASSKEYS_PER_USER);
  await t.close();
});
