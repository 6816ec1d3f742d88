/**
 * Organizations and accounts over HTTP (docs/dashboard.md "Organizations", "Account", "Find by
 * id"): rename; delete (owner only, typed slug; API keys stop at once, endpoints go, open sessions
 * are cancelled and left to the retention rules); the organization switcher; change password with
 * re-authentication (other sessions end); sign out everywhere; `deno task admin reset-password`;
 * the passkey hint names the configured URL's port on localhost; find by id.
 */
import assert from "node:assert/strict";
import { FakeBrowser } from "./support/browser_session.ts";
import { createSessionViaApi, postJson, sessionsWorld } from "./support/sessions.ts";
import { getMembership, getOrganization } from "../lib/accounts/organizations.ts";
import {
  acceptInvitation,
  createInvitation,
  findInvitation,
  listInvitations,
} from "../lib/accounts/invitations.ts";
import { createAttempt } from "../lib/sessions/attempts.ts";
import { createEndpoint } from "../webhooks/endpoints.ts";
import { writeEvent } from "./support/webhooks.ts";
import { runAdmin } from "../scripts/admin.ts";
import { passkeysNeedDomain } from "../lib/accounts/passkeys.ts";
import { sessionKeys, type SessionRecord } from "../lib/sessions/types.ts";
import { webhookKeys } from "../webhooks/model.ts";

type World = Awaited<ReturnType<typeof sessionsWorld>>;

async function signIn(world: World, password = world.ownerPassword): Promise<FakeBrowser> {
  const browser = new FakeBrowser(world);
  const res = await browser.post("/sign-in", { email: world.ownerEmail, password });
  assert.equal(res.status, 303, "signed in");
  return browser;
}

async function post(browser: FakeBrowser, path: string, fields: Record<string, string>) {
  const csrf = FakeBrowser.csrfOf(await (await browser.get(path)).text());
  return await browser.post(path, { _csrf: csrf, ...fields });
}

Deno.test("organization: rename, switcher, delete with typed slug stops keys and ends sessions", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const org = (await getOrganization(world.deps.kv, world.orgId))!;
    const browser = await signIn(world);
    const settings = `/organizations/${org.slug}/settings`;
    const renamed = await post(browser, settings, { action: "rename", name: "Renamed Org" });
    assert.equal(renamed.status, 303);
    assert.equal((await getOrganization(world.deps.kv, org.id))!.name, "Renamed Org");
    assert.equal((await post(browser, settings, { action: "rename", name: " " })).status, 400);

    const list = await (await browser.get("/organizations")).text();
    assert.ok(list.includes(`href="/organizations/${org.slug}"`) && list.includes("Renamed Org"));
    assert.ok(list.includes('href="/organizations/new"'));
    const page = await (await browser.get(settings)).text();
    assert.match(page, /retention rules/);
    assert.ok(page.includes('href="/organizations"'), "the switcher link on every org page");

    const open = await createSessionViaApi(world);
    const ended = await createSessionViaApi(world);
    await postJson(world, `/v1/sessions/${ended.id}/cancel`, undefined);
    await createEndpoint(world.deps, org.id, "test", { name: "e", url: "https://x.example/h" });

    const wrong = await post(browser, settings, { action: "delete", confirm: "not-the-slug" });
    assert.equal(wrong.status, 400);
    assert.equal((await world.request("/v1/sessions", { headers: world.auth })).status, 200);

    const deleted = await post(browser, settings, { action: "delete", confirm: org.slug });
    assert.equal(deleted.status, 303);
    assert.equal(deleted.headers.get("location"), "/organizations?deleted=1");
    const refused = await world.request("/v1/sessions", { headers: world.auth });
    assert.equal(refused.status, 401, "the API key stopped at once");
    await refused.body?.cancel();
    assert.equal((await browser.get(settings)).status, 404);
    assert.ok(!(await (await browser.get("/organizations")).text()).includes("Renamed Org"));
    const cancelled = (await world.deps.kv.get<SessionRecord>(sessionKeys.session(open.id))).value!;
    assert.equal(cancelled.status, "cancelled");
    assert.ok(
      (await world.deps.kv.get(sessionKeys.toDelete(cancelled))).value,
      "queued for the retention deletion",
    );
    let endpoints = 0;
    for (const mode of ["test", "live"] as const) {
      const prefix = webhookKeys.endpointsByOrgPrefix({ orgId: org.id, mode });
      for await (const _ of world.deps.kv.list({ prefix })) endpoints++;
    }
    assert.equal(endpoints, 0);
    assert.ok((await getOrganization(world.deps.kv, org.id))!.deletedAt);
  } finally {
    await world.close();
  }
});

Deno.test("organization: its pending invitation links die with it", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const org = (await getOrganization(world.deps.kv, world.orgId))!;
    const pending = await createInvitation(world.deps, {
      orgId: org.id,
      role: "admin",
      createdBy: "usr_owner",
    });
    const browser = await signIn(world);
    const deleted = await post(browser, `/organizations/${org.slug}/settings`, {
      action: "delete",
      confirm: org.slug,
    });
    assert.equal(deleted.status, 303);
    assert.equal(await findInvitation(world.deps, pending.token), null);
    assert.equal(await acceptInvitation(world.deps, pending.token, "usr_late"), "invalid");
    assert.equal(await getMembership(world.deps.kv, org.id, "usr_late"), null);
    assert.deepEqual(await listInvitations(world.deps.kv, org.id), [], "deleted with it");
    const link = await new FakeBrowser(world).get(`/invitations/${pending.token}`);
    assert.equal(link.status, 404);
    await link.body?.cancel();
  } finally {
    await world.close();
  }
});

Deno.test("invitation: an error keeps the typed email (never the password)", async () => {
  const world = await sessionsWorld({ mode: "test" });
  try {
    const { token } = await createInvitation(world.deps, {
      orgId: world.orgId,
      role: "member",
      createdBy: "usr_owner",
    });
    const res = await new FakeBrowser(world).post(`/invitations/${token}`, {
      email: "new.member@example.test",
      password: "short",
    });
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /The password needs at least/);
    assert.match(html, /name="email" value="new\.member@example\.test"/);
    assert.doesNotMatch(html, /value="short"/);
  } finally {
    await world.close();
  }
});

Deno.test("organization: only owners delete", async () => {
  const world = await sessionsWorld();
  try {
    const org = (await getOrganization(world.deps.kv, world.orgId))!;
    const { addMembershipOps } = await import("../lib/accounts/organizations.ts");
    const { createUser } = await import("../lib/accounts/users.ts");
    const { hashPassword } = await import("../lib/accounts/passwords.ts");
    const admin = await createUser(
      world.deps.kv,
      { email: "admin@example.test", passwordHash: await hashPassword("admin password 1") },
      world.deps.clock,
      world.deps.random,
    );
    const op = world.deps.kv.atomic();
    addMembershipOps(op, {
      orgId: org.id,
      userId: admin.id,
      role: "admin",
      createdAt: world.clock.now().toISOString(),
    } as never);
    await op.commit();
    const browser = new FakeBrowser(world);
    await browser.post("/sign-in", { email: "admin@example.test", password: "admin password 1" });
    const settings = `/organizations/${org.slug}/settings`;
    assert.ok(!(await (await browser.get(settings)).text()).includes("Delete organization"));
    assert.equal(
      (await post(browser, settings, { action: "delete", confirm: org.slug })).status,
      403,
    );
    assert.ok(!(await getOrganization(world.deps.kv, org.id))!.deletedAt);
  } finally {
    await world.close();
  }
});

Deno.test("account: change password re-authenticates and ends other sessions; sign out everywhere", async () => {
  const world = await sessionsWorld();
  try {
    const here = await signIn(world);
    const elsewhere = await signIn(world);
    const wrong = await post(here, "/account", {
      action: "change_password",
      current_password: "not my password",
      new_password: "a brand new password",
      confirm_password: "a brand new password",
    });
    assert.equal(wrong.status, 401);
    const mismatch = await post(here, "/account", {
      action: "change_password",
      current_password: world.ownerPassword,
      new_password: "a brand new password",
      confirm_password: "another new password",
    });
    assert.equal(mismatch.status, 400);
    const changed = await post(here, "/account", {
      action: "change_password",
      current_password: world.ownerPassword,
      new_password: "a brand new password",
      confirm_password: "a brand new password",
    });
    assert.equal(changed.status, 303);
    assert.equal((await here.get("/account")).status, 200, "this browser stays signed in");
    assert.equal((await elsewhere.get("/account")).status, 303, "the other session ended");
    const old = await new FakeBrowser(world).post("/sign-in", {
      email: world.ownerEmail,
      password: world.ownerPassword,
    });
    assert.notEqual(old.status, 303, "the old password no longer works");
    const again = await signIn(world, "a brand new password");
    const out = await post(here, "/account", { action: "sign_out_everywhere" });
    assert.equal(out.status, 303);
    assert.equal((await here.get("/account")).status, 303);
    assert.equal((await again.get("/account")).status, 303);
  } finally {
    await world.close();
  }
});

Deno.test("admin reset-password: a printed password, every session signed out", async () => {
  const world = await sessionsWorld();
  try {
    const browser = await signIn(world);
    const out = JSON.parse(
      await runAdmin(world.deps, ["reset-password", "--email", world.ownerEmail, "--json"]),
    );
    assert.equal(out.email, world.ownerEmail);
    assert.ok(out.password.length >= 20);
    assert.equal((await browser.get("/account")).status, 303);
    await signIn(world, out.password);
    await assert.rejects(
      runAdmin(world.deps, ["reset-password", "--email", "nobody@example.test"]),
      /no user/,
    );
    await assert.rejects(
      runAdmin(world.deps, ["reset-password", "--email", world.ownerEmail, "--password", "short"]),
      /at least/,
    );
  } finally {
    await world.close();
  }
});

Deno.test("passkey hint: the configured port on localhost, or a domain", () => {
  assert.match(passkeysNeedDomain("http://127.0.0.1:9999"), /http:\/\/localhost:9999 \(instead/);
  assert.doesNotMatch(passkeysNeedDomain("http://127.0.0.1:9999"), /8787/);
  assert.match(passkeysNeedDomain("https://10.1.2.3"), /https domain instead of the address/);
});

Deno.test("find by id: vs_, va_, evt_ and whd_ land on their page; others 404", async () => {
  const world = await sessionsWorld();
  try {
    const org = (await getOrganization(world.deps.kv, world.orgId))!;
    const browser = await signIn(world);
    const session = await createSessionViaApi(world);
    const { attempt } = await createAttempt(world.deps, session.id);
    const { endpoint } = await createEndpoint(world.deps, org.id, "test", {
      name: "e",
      url: "https://x.example/h",
    });
    const event = await writeEvent(world.deps, org.id, { webhookEndpointId: endpoint.id });
    let deliveryId = "";
    for await (
      const e of world.deps.kv.list<string>({
        prefix: webhookKeys.deliveriesByEventPrefix(event.id),
      })
    ) {
      deliveryId = e.value;
    }
    const base = `/organizations/${org.slug}`;
    const find = async (text: string) =>
      await browser.get(`${base}/find?id=${encodeURIComponent(text)}`);
    const cases: Array<[string, string]> = [
      [session.id, `${base}/sessions/${session.id}`],
      [`  copied: ${attempt.id} `, `${base}/sessions/${session.id}#${attempt.id}`],
      [event.id, `${base}/webhooks/deliveries?event_id=${event.id}`],
      [deliveryId, `${base}/webhooks/deliveries/${deliveryId}`],
    ];
    for (const [text, location] of cases) {
      const res = await find(text);
      assert.equal(res.status, 303, text);
      assert.equal(res.headers.get("location"), location);
    }
    assert.equal((await find(`vs_${"0".repeat(64)}`)).status, 404);
    assert.equal((await find("hello")).status, 404);
    // Another organization's session is not confirmed.
    const other = await sessionsWorld();
    try {
      const foreign = await createSessionViaApi(other);
      const res = await browser.send(`${base}/find?id=${foreign.id}`, { method: "GET" });
      assert.equal(res.status, 404);
    } finally {
      await other.close();
    }
  } finally {
    await world.close();
  }
});
