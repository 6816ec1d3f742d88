/**
 * The API-key auth matrix over HTTP: no key, malformed key, unknown key, disabled key, deleted
 * key, missing scope, write-implies-read, another organization's object, per-key rate limit.
 */
import assert from "node:assert/strict";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";
import { apiKeyKeys, deleteApiKey, setApiKeyStatus } from "../lib/api_keys/api_keys.ts";
import { API_KEY_RATE_LIMIT_PER_MINUTE } from "../lib/api_keys/middleware.ts";
import { ConfigError, loadConfig } from "../lib/core/config.ts";

async function expectError(res: Response, status: number, code: string) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}`);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  const body = await res.json();
  assert.equal(body.data, null);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  return body;
}

Deno.test("auth matrix: each failure has its status and code in the envelope", async () => {
  const t = await createTestApp();
  const { org } = await seedOrganization(t.deps);
  const writer = await seedApiKey(t.deps, org.id, { scopes: ["sessions:write"] });
  const webhooksOnly = await seedApiKey(t.deps, org.id, { scopes: ["webhooks:read"] });

  await expectError(await t.app.request("/v1/sessions"), 401, "UNAUTHORIZED");
  await expectError(
    await t.app.request("/v1/sessions", { headers: { authorization: "Basic abc" } }),
    401,
    "UNAUTHORIZED",
  );
  await expectError(
    await t.app.request("/v1/sessions", { headers: bearer("kk_live_short") }),
    401,
    "UNAUTHORIZED",
  );
  await expectError(
    await t.app.request("/v1/sessions", { headers: bearer(`kk_live_${"a".repeat(32)}`) }),
    401,
    "UNAUTHORIZED",
  );
  await expectError(
    await t.app.request("/v1/sessions", { headers: bearer(webhooksOnly.secret) }),
    403,
    "FORBIDDEN",
  );
  // A write scope implies its read scope.
  const listed = await t.app.request("/v1/sessions", { headers: bearer(writer.secret) });
  assert.equal(listed.status, 200);
  assert.ok(Array.isArray((await listed.json()).data));

  await setApiKeyStatus(t.deps.kv, org.id, writer.id, "disabled");
  const disabled = await expectError(
    await t.app.request("/v1/sessions", { headers: bearer(writer.secret) }),
    401,
    "UNAUTHORIZED",
  );
  assert.match(disabled.error.message, /disabled/);
  await setApiKeyStatus(t.deps.kv, org.id, writer.id, "active");
  assert.equal(
    (await t.app.request("/v1/sessions", { headers: bearer(writer.secret) })).status,
    200,
  );
  await deleteApiKey(t.deps.kv, org.id, writer.id);
  await expectError(
    await t.app.request("/v1/sessions", { headers: bearer(writer.secret) }),
    401,
    "UNAUTHORIZED",
  );
  await t.close();
});

Deno.test("another organization's session is NOT_FOUND, for reads and writes", async () => {
  const t = await createTestApp();
  const a = await seedOrganization(t.deps);
  const b = await seedOrganization(t.deps);
  const keyA = await seedApiKey(t.deps, a.org.id, { scopes: ["sessions:write"] });
  const keyB = await seedApiKey(t.deps, b.org.id, { scopes: ["sessions:write"] });
  const created = await t.app.request("/v1/sessions", {
    method: "POST",
    headers: { ...bearer(keyA.secret), "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(created.status, 200);
  const id = (await created.json()).data.id as string;
  assert.equal(
    (await t.app.request(`/v1/sessions/${id}`, { headers: bearer(keyA.secret) })).status,
    200,
  );
  await expectError(
    await t.app.request(`/v1/sessions/${id}`, { headers: bearer(keyB.secret) }),
    404,
    "NOT_FOUND",
  );
  await expectError(
    await t.app.request(`/v1/sessions/${id}/cancel`, {
      method: "POST",
      headers: bearer(keyB.secret),
    }),
    404,
    "NOT_FOUND",
  );
  const listB = await (await t.app.request("/v1/sessions", { headers: bearer(keyB.secret) }))
    .json();
  assert.equal(listB.data.length, 0);
  await t.close();
});

Deno.test("a key over its rate limit gets 429 RATE_LIMITED with Retry-After; usage is counted", async () => {
  const t = await createTestApp();
  const { org } = await seedOrganization(t.deps);
  const key = await seedApiKey(t.deps, org.id, { scopes: ["sessions:read"] });
  let last: Response | null = null;
  for (let i = 0; i <= API_KEY_RATE_LIMIT_PER_MINUTE; i++) {
    last = await t.app.request("/v1/sessions?limit=1", { headers: bearer(key.secret) });
    if (i < API_KEY_RATE_LIMIT_PER_MINUTE) assert.equal(last.status, 200);
  }
  await expectError(last!, 429, "RATE_LIMITED");
  assert.ok(Number(last!.headers.get("retry-after")) >= 1);
  t.clock.advance(60_000);
  assert.equal(
    (await t.app.request("/v1/sessions?limit=1", { headers: bearer(key.secret) })).status,
    200,
  );
  await t.deps.usage.flush();
  const usage =
    (await t.deps.kv.get<{ requestCount: number; lastUsedAt: string }>(apiKeyKeys.usage(key.id)))
      .value!;
  assert.equal(usage.requestCount, API_KEY_RATE_LIMIT_PER_MINUTE + 1);
  assert.equal(usage.lastUsedAt, t.clock.now().toISOString());
  await t.close();
});

Deno.test("KAYLE_API_RATE_LIMIT_PER_MINUTE sets the per-key limit", async () => {
  assert.equal(loadConfig({ KAYLE_API_RATE_LIMIT_PER_MINUTE: "5000" }).apiRateLimitPerMinute, 5000);
  assert.equal(loadConfig({}).apiRateLimitPerMinute, API_KEY_RATE_LIMIT_PER_MINUTE);
  assert.throws(() => loadConfig({ KAYLE_API_RATE_LIMIT_PER_MINUTE: "0" }), ConfigError);
  const t = await createTestApp({ apiRateLimitPerMinute: 3 });
  const { org } = await seedOrganization(t.deps);
  const key = await seedApiKey(t.deps, org.id, { scopes: ["sessions:read"] });
  for (let i = 0; i < 3; i++) {
    const ok = await t.app.request("/v1/sessions?limit=1", { headers: bearer(key.secret) });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  }
  await expectError(
    await t.app.request("/v1/sessions?limit=1", { headers: bearer(key.secret) }),
    429,
    "RATE_LIMITED",
  );
  await t.close();
});
