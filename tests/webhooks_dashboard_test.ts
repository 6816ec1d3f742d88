/**
 * The webhook dashboard pages: an admin creates an endpoint and sees its secret once, adds a
 * key; deliveries show their tries and a retry button; events can be replayed; members read
 * only; only owners reveal the signing secret.
 */
import assert from "node:assert/strict";
import { createUser } from "../lib/accounts/users.ts";
import { addMembershipOps, type Role } from "../lib/accounts/organizations.ts";
import { sessionCookieName } from "../lib/accounts/dashboard_sessions.ts";
import type { AppDeps } from "../lib/deps.ts";
import { listEndpoints } from "../webhooks/endpoints.ts";
import { createTestApp, seedOrganization, type TestApp } from "./support/app.ts";
import { seedWebhookEndpoint, sharedKeyPair, writeEvent } from "./support/webhooks.ts";
import { accountKeys } from "../lib/accounts/kv_keys.ts";

/** A signed-in browser of a user with `role` in the organization. */
async function browser(t: TestApp, userId: string) {
  const deps: AppDeps = t.deps;
  const token = crypto.randomUUID().replaceAll("-", "");
  const sessionHash = await deps.keys.hash(`session:${token}`);
  const now = deps.clock.now();
  await deps.kv.set(accountKeys.dashboardSession(sessionHash), {
    userId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
  });
  const csrf = await deps.keys.hash(sessionHash, "csrf");
  const cookie = `${sessionCookieName(deps.config.publicUrl)}=${token}`;
  return {
    get: (path: string) => t.app.request(path, { headers: { cookie, accept: "text/html" } }),
    post: (path: string, fields: Record<string, string>) =>
      t.app.request(path, {
        method: "POST",
        headers: {
          cookie,
          "content-type": "application/x-www-form-urlencoded",
          origin: deps.config.publicUrl,
        },
        body: new URLSearchParams({ _csrf: csrf, ...fields }),
      }),
  };
}

async function member(t: TestApp, orgId: string, role: Role): Promise<string> {
  const user = await createUser(
    t.deps.kv,
    { email: `${role}-${crypto.randomUUID()}@example.test`, passwordHash: "x" },
    t.deps.clock,
    t.deps.random,
  );
  await addMembershipOps(t.deps.kv.atomic(), {
    orgId,
    userId: user.id,
    role,
    createdAt: t.deps.clock.now().toISOString(),
  }).commit();
  return user.id;
}

Deno.test("dashboard: create an endpoint (secret once), add a key, owners alone reveal", async () => {
  const t = await createTestApp();
  try {
    const { org, ownerId } = await seedOrganization(t.deps);
    const owner = await browser(t, ownerId);
    const base = `/organizations/${org.slug}/webhooks`;
    const empty = await owner.get(base);
    assert.equal(empty.status, 200);
    assert.match(empty.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await empty.text(), /No endpoints yet/);
    const created = await owner.post(base, {
      action: "create",
      name: "Shop",
      url: "https://shop.example.com/hooks",
      mode: "test",
      event_types: "verification.session.succeeded",
      retention: "24",
    });
    assert.equal(created.status, 200);
    const html = await created.text();
    const secret = /whsec_[A-Za-z0-9+/]{32}/.exec(html)?.[0];
    assert.ok(secret, "secret shown at creation");
    const again = await (await owner.get(base)).text();
    assert.equal(again.includes(secret!), false, "shown once");
    const [endpoint] = await listEndpoints(t.deps.kv, { orgId: org.id, mode: "test" });
    assert.equal(endpoint.retentionHours, 24);
    const refused = await owner.post(base, {
      action: "create",
      name: "Second shop",
      url: "http://10.0.0.1/",
      mode: "live",
      event_types: "verification.session.failed",
      retention: "168",
    });
    assert.equal(refused.status, 400);
    // The form comes back as it was sent, to be corrected rather than typed again.
    const form = await refused.text();
    assert.match(form, /name="name" value="Second shop"/);
    assert.match(form, /name="url" value="http:\/\/10\.0\.0\.1\/"/);
    assert.match(form, /name="mode" value="live" checked/);
    assert.match(form, /value="verification\.session\.failed" checked/);
    assert.doesNotMatch(form, /value="verification\.session\.succeeded" checked/);
    assert.match(form, /value="168" selected/);
    const page = `${base}/endpoints/${endpoint.id}`;
    const { publicJwk } = await sharedKeyPair();
    const keyed = await owner.post(page, { action: "add_key", jwk: JSON.stringify(publicJwk) });
    assert.equal(keyed.status, 200);
    assert.match(await keyed.text(), /is now the active key/);
    const badEdit = await owner.post(page, {
      action: "update",
      name: "Renamed shop",
      url: "http://10.0.0.2/",
    });
    assert.equal(badEdit.status, 400);
    const editForm = await badEdit.text();
    assert.match(editForm, /name="name" value="Renamed shop"/);
    assert.match(editForm, /name="url" value="http:\/\/10\.0\.0\.2\/"/);
    const revealed = await owner.post(page, { action: "reveal" });
    assert.ok((await revealed.text()).includes(secret!));
    const admin = await browser(t, await member(t, org.id, "admin"));
    const adminReveal = await admin.post(page, { action: "reveal" });
    assert.equal(adminReveal.status, 403);
    assert.equal((await adminReveal.text()).includes(secret!), false);
    const reader = await browser(t, await member(t, org.id, "member"));
    assert.equal((await reader.get(page)).status, 200);
    assert.equal(
      (await reader.post(base, { action: "delete", endpoint_id: endpoint.id })).status,
      403,
    );
    assert.equal((await listEndpoints(t.deps.kv, { orgId: org.id, mode: "test" })).length, 1);
  } finally {
    await t.close();
  }
});

Deno.test("dashboard: deliveries list tries and retry; events replay with coded errors", async () => {
  const t = await createTestApp();
  try {
    const { org, ownerId } = await seedOrganization(t.deps);
    const owner = await browser(t, ownerId);
    const { publicJwk } = await sharedKeyPair();
    await seedWebhookEndpoint(t.deps, {
      orgId: org.id,
      url: "https://shop.example.com/h",
      publicJwk,
    });
    const event = await writeEvent(t.deps, org.id);
    const list = await owner.get(`/organizations/${org.slug}/webhooks/deliveries`);
    const html = await list.text();
    const deliveryId = /data-delivery-id="(whd_[a-z0-9]{64})"/.exec(html)?.[1];
    assert.ok(deliveryId);
    assert.match(html, /Retry/);
    const detail = await owner.get(`/organizations/${org.slug}/webhooks/deliveries/${deliveryId}`);
    assert.match(await detail.text(), /No tries yet/);
    const retried = await owner.post(`/organizations/${org.slug}/webhooks/deliveries`, {
      action: "retry",
      delivery_id: deliveryId!,
    });
    assert.equal(retried.status, 200);
    const events = await owner.get(`/organizations/${org.slug}/webhooks/events`);
    assert.match(await events.text(), new RegExp(`data-event-id="${event.id}"`));
    const replayed = await owner.post(`/organizations/${org.slug}/webhooks/events`, {
      action: "replay",
      event_id: event.id,
    });
    assert.equal(replayed.status, 202);
    const unknown = await owner.post(`/organizations/${org.slug}/webhooks/events`, {
      action: "replay",
      event_id: "evt_x",
    });
    assert.equal(unknown.status, 409);
    assert.match(await unknown.text(), /WEBHOOK_PAYLOAD_EXPIRED/);
  } finally {
    await t.close();
  }
});
