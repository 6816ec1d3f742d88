import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { cryptoRandom } from "../core/random.ts";
import { createServerKeys } from "../core/keys.ts";
import {
  API_KEY_PATTERN,
  createApiKey,
  deleteApiKey,
  findApiKeyBySecret,
  hasScope,
  listApiKeys,
  setApiKeyStatus,
} from "./api_keys.ts";
import { createUsageRecorder, getApiKeyUsage } from "./usage.ts";
import { API_KEY_CACHE_MS } from "./key_cache.ts";
import { openKv } from "../core/kv.ts";

async function fresh() {
  return {
    kv: await Deno.openKv(":memory:"),
    keys: await createServerKeys(new Uint8Array(32).fill(2)),
    clock: new ManualClock("2026-06-01T00:00:00Z"),
    random: cryptoRandom,
  };
}

Deno.test("write scopes imply their read scope only", () => {
  assert.ok(hasScope(["sessions:write"], "sessions:read"));
  assert.ok(!hasScope(["sessions:read"], "sessions:write"));
  assert.ok(!hasScope(["webhooks:write"], "sessions:read"));
  assert.ok(hasScope(["analytics:read"], "analytics:read"));
});

Deno.test("a key is stored only as a keyed hash and found by it", async () => {
  const deps = await fresh();
  const { key, secret } = await createApiKey(deps, {
    orgId: "org_a",
    name: "k",
    scopes: ["sessions:write"],
    mode: "live",
    createdBy: null,
  });
  assert.match(secret, API_KEY_PATTERN);
  assert.ok(secret.startsWith("kk_live_"));
  for await (const entry of deps.kv.list({ prefix: [] })) {
    assert.doesNotMatch(JSON.stringify(entry), new RegExp(secret), "secret stored in clear");
  }
  assert.equal((await findApiKeyBySecret(deps, secret))?.id, key.id);
  // One character changed (never to itself: a random secret may already end in "x").
  const wrong = secret.slice(0, -1) + (secret.endsWith("x") ? "y" : "x");
  assert.notEqual(wrong, secret);
  assert.equal(await findApiKeyBySecret(deps, wrong), null);
  deps.kv.close();
});

Deno.test("disable, enable and delete touch only the owning organization's key", async () => {
  const deps = await fresh();
  const { key, secret } = await createApiKey(deps, {
    orgId: "org_a",
    name: "k",
    scopes: ["sessions:read"],
    mode: "test",
    createdBy: null,
  });
  assert.equal(await setApiKeyStatus(deps.kv, "org_b", key.id, "disabled"), null);
  assert.equal((await setApiKeyStatus(deps.kv, "org_a", key.id, "disabled"))?.status, "disabled");
  assert.equal((await setApiKeyStatus(deps.kv, "org_a", key.id, "active"))?.status, "active");
  assert.equal(await deleteApiKey(deps.kv, "org_b", key.id), false);
  assert.equal(await deleteApiKey(deps.kv, "org_a", key.id), true);
  assert.equal(await findApiKeyBySecret(deps, secret), null);
  assert.deepEqual(await listApiKeys(deps.kv, "org_a"), []);
  deps.kv.close();
});

Deno.test("usage is counted in memory and flushed with the last use time", async () => {
  const deps = await fresh();
  const usage = createUsageRecorder(deps.kv, deps.clock, 0);
  for (let i = 0; i < 5; i++) usage.record("key_1");
  deps.clock.advance(1000);
  usage.record("key_1");
  await usage.flush();
  usage.record("key_1");
  await usage.close();
  const stored = await getApiKeyUsage(deps.kv, "key_1");
  assert.equal(stored.requestCount, 7);
  assert.equal(stored.lastUsedAt, "2026-06-01T00:00:01.000Z");
  deps.kv.close();
});

Deno.test("a key changed here stops at once; changed by another instance, within a second", async () => {
  const dir = await Deno.makeTempDir();
  // Two handles on one file, as two instances open it (busy retries on: the file is shared).
  const here = { ...(await fresh()), kv: await openKv(`${dir}/kv`) };
  const other = { ...here, kv: await openKv(`${dir}/kv`) };
  try {
    const { key, secret } = await createApiKey(here, {
      orgId: "org_a",
      name: "k",
      scopes: ["sessions:read"],
      mode: "test",
      createdBy: null,
    });
    assert.equal((await findApiKeyBySecret(here, secret))?.status, "active");
    assert.equal((await findApiKeyBySecret(other, secret))?.status, "active");
    // Disabled through this instance: its own lookups see it at once.
    await setApiKeyStatus(here.kv, "org_a", key.id, "disabled");
    assert.equal((await findApiKeyBySecret(here, secret))?.status, "disabled");
    // The other instance read it less than a second ago: it trusts that read until the second ends.
    assert.equal((await findApiKeyBySecret(other, secret))?.status, "active");
    here.clock.advance(API_KEY_CACHE_MS);
    assert.equal((await findApiKeyBySecret(other, secret))?.status, "disabled");
    // Deleted elsewhere: gone here within the second too.
    await deleteApiKey(here.kv, "org_a", key.id);
    assert.equal(await findApiKeyBySecret(here, secret), null);
    here.clock.advance(API_KEY_CACHE_MS);
    assert.equal(await findApiKeyBySecret(other, secret), null);
  } finally {
    here.kv.close();
    other.kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
