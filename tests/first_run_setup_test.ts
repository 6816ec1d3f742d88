/**
 * First-run setup closes with the first account, whatever created it: the browser form, the
 * admin command, or a setup token a racing instance wrote after the owner existed.
 */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import { issueSetupLink, SETUP_LINK_TTL_MS } from "../lib/accounts/setup.ts";
import { runAdmin } from "../scripts/admin.ts";
import { accountKeys } from "../lib/accounts/kv_keys.ts";

const form = (token: string, email: string, slug: string) => ({
  token,
  email,
  password: "long enough pass",
  org_name: slug,
  org_slug: slug,
});

async function countUsers(t: TestApp): Promise<number> {
  let users = 0;
  for await (const _ of t.deps.kv.list({ prefix: accountKeys.usersPrefix() })) users++;
  return users;
}

async function tokenOf(t: TestApp): Promise<string> {
  const link = await issueSetupLink(t.deps);
  assert.ok(link, "a fresh install prints a setup link");
  return new URL(link).searchParams.get("token")!;
}

Deno.test("setup: after `admin create-org` the printed link refuses GET and POST", async () => {
  const t = await createTestApp();
  const token = await tokenOf(t);
  await runAdmin(t.deps, [
    "create-org",
    "--name",
    "Acme",
    "--slug",
    "acme",
    "--owner-email",
    "owner@example.test",
    "--owner-password",
    "a long password",
  ]);
  assert.equal((await t.deps.kv.get(accountKeys.setupClosed())).value, true, "setup closed");
  const browser = new FakeBrowser(t);
  assert.equal((await browser.get(`/setup?token=${token}`)).status, 404);
  const second = await browser.post("/setup", form(token, "intruder@example.test", "intruder"));
  assert.equal(second.status, 404);
  assert.match(await second.text(), /Setup link not valid/);
  assert.equal(await countUsers(t), 1, "no second account");
  assert.equal(await issueSetupLink(t.deps), null);
  await t.close();
});

Deno.test("setup: after the owner is created in the browser a stale token cannot make another", async () => {
  const t = await createTestApp();
  const token = await tokenOf(t);
  const browser = new FakeBrowser(t);
  const done = await browser.post("/setup", form(token, "owner@example.test", "acme"));
  assert.equal(done.status, 303);
  // A second instance that checked "no user yet" just before the owner was created writes its
  // own token afterwards: that token must not open setup either.
  const stale = "s".repeat(32);
  await t.deps.kv.set(accountKeys.setupToken(await t.deps.keys.hash(`setup:${stale}`)), {
    issuedAt: t.clock.now().toISOString(),
  });
  const other = new FakeBrowser(t);
  assert.equal((await other.get(`/setup?token=${stale}`)).status, 404);
  const second = await other.post("/setup", form(stale, "intruder@example.test", "intruder"));
  assert.equal(second.status, 404);
  const reused = await other.post("/setup", form(token, "intruder@example.test", "intruder"));
  assert.equal(reused.status, 404);
  assert.equal(await countUsers(t), 1, "no second account");
  await t.close();
});

Deno.test("setup: two concurrent submits of one link create exactly one owner", async () => {
  const t = await createTestApp();
  const token = await tokenOf(t);
  const statuses = await Promise.all(
    ["a", "b", "c"].map((x) =>
      new FakeBrowser(t).post("/setup", form(token, `${x}@example.test`, `org-${x}`))
        .then((r) => r.status)
    ),
  );
  assert.deepEqual(statuses.sort(), [303, 404, 404]);
  assert.equal(await countUsers(t), 1);
  await t.close();
});

Deno.test("setup: instances started together each print a link that works, until the first account", async () => {
  const t = await createTestApp();
  const [first, second] = [await tokenOf(t), await tokenOf(t)];
  assert.notEqual(first, second);
  const browser = new FakeBrowser(t);
  assert.equal((await browser.get(`/setup?token=${first}`)).status, 200, "the first link");
  assert.equal((await browser.get(`/setup?token=${second}`)).status, 200, "the second link");
  const done = await browser.post("/setup", form(second, "owner@example.test", "acme"));
  assert.equal(done.status, 303);
  const late = await new FakeBrowser(t).post("/setup", form(first, "x@example.test", "x"));
  assert.equal(late.status, 404, "every link dies with the first account");
  assert.equal(await countUsers(t), 1);
  await t.close();
});

Deno.test("setup: a printed link works for 24 hours", async () => {
  const t = await createTestApp();
  const token = await tokenOf(t);
  const browser = new FakeBrowser(t);
  t.clock.advance(SETUP_LINK_TTL_MS - 1000);
  assert.equal((await browser.get(`/setup?token=${token}`)).status, 200);
  t.clock.advance(1000);
  assert.equal((await browser.get(`/setup?token=${token}`)).status, 404);
  assert.equal((await browser.post("/setup", form(token, "o@example.test", "o"))).status, 404);
  assert.ok(await tokenOf(t), "a restart prints a new one");
  await t.close();
});
