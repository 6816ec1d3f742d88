/**
 * The composition root (`lib/platform.ts`): a platform built without webhooks refuses, with a
 * code, everything that would need a delivery (naming an endpoint on a session, creating an
 * endpoint) instead of writing events nobody delivers; and no module wires itself by being
 * imported (no side-effect imports anywhere in the repository).
 */
import assert from "node:assert/strict";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";

const json = (secret: string, body: unknown): RequestInit => ({
  method: "POST",
  headers: { ...bearer(secret), "content-type": "application/json" },
  body: JSON.stringify(body),
});
const endpointId = "whe_" + "a".repeat(32);
const endpoint = { name: "Main", url: "https://hooks.example.com/kayle" };

Deno.test("without webhooks: naming or creating an endpoint is 409 WEBHOOKS_DISABLED", async () => {
  const t = await createTestApp({}, { webhooks: false });
  try {
    const { org } = await seedOrganization(t.deps);
    const { secret } = await seedApiKey(t.deps, org.id);
    const named = await t.app.request(
      "/v1/sessions",
      json(secret, { webhook_endpoint_id: endpointId }),
    );
    assert.equal(named.status, 409);
    assert.equal((await named.json()).error.code, "WEBHOOKS_DISABLED");
    const created = await t.app.request("/v1/webhooks/endpoints", json(secret, endpoint));
    assert.equal(created.status, 409);
    assert.equal((await created.json()).error.code, "WEBHOOKS_DISABLED");
    // A session that needs no delivery is still created.
    const plain = await t.app.request("/v1/sessions", json(secret, {}));
    assert.equal(plain.status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("with webhooks (the default): an unknown endpoint is 404, a real one is accepted", async () => {
  const t = await createTestApp();
  try {
    const { org } = await seedOrganization(t.deps);
    const { secret } = await seedApiKey(t.deps, org.id);
    const unknown = await t.app.request(
      "/v1/sessions",
      json(secret, { webhook_endpoint_id: endpointId }),
    );
    assert.equal(unknown.status, 404);
    const created = await t.app.request("/v1/webhooks/endpoints", json(secret, endpoint));
    assert.equal(created.status, 200);
    const id = (await created.json()).data.endpoint.id;
    const named = await t.app.request("/v1/sessions", json(secret, { webhook_endpoint_id: id }));
    assert.equal(named.status, 200);
  } finally {
    await t.close();
  }
});

const skipped = new Set([".git", "node_modules", "data", "vectors", "dist", "build"]);

async function* sources(base: URL, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(prefix || ".", base))) {
    if (skipped.has(entry.name)) continue;
    const path = prefix + entry.name;
    if (entry.isDirectory) yield* sources(base, path + "/");
    else if (/\.(ts|tsx)$/.test(entry.name)) yield path;
  }
}

// The phone app (`mobile/`) is a React Native program: its entry must import the platform's
// crypto polyfill for its effect, before anything else.
const allowed = new Set(["mobile/index.ts"]);

Deno.test("no module is imported for its side effects", async () => {
  const root = new URL("../", import.meta.url);
  const hits: string[] = [];
  for await (const path of sources(root)) {
    if (allowed.has(path)) continue;
    const text = await Deno.readTextFile(new URL(path, root));
    if (/^import\s+["'][^"']+["'];?\s*$/m.test(text)) hits.push(path);
  }
  assert.deepEqual(hits, []);
});
