/**
 * Encryption keys with the integrator's own `key_id` (docs/webhooks.md "Encryption keys"): it is
 * the JWE `kid` deliveries carry, unique per endpoint (409 `KEY_ID_IN_USE`), limited to 1–128 of
 * `A–Z a–z 0–9 . _ : -` (400); without it the generated `whk_` id is the `kid`. Registering answers
 * 200, like endpoint creation.
 */
import assert from "node:assert/strict";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";
import { checkedClient } from "./support/openapi.ts";
import { sharedKeyPair, waitFor, writeEvent } from "./support/webhooks.ts";
import { world } from "./support/webhooks_world.ts";
import { addEncryptionKey, validatePublicJwk } from "../webhooks/encryption_keys.ts";
import { type EndpointRecord, webhookKeys } from "../webhooks/model.ts";

async function setup() {
  const t = await createTestApp({ devMode: true });
  const { org } = await seedOrganization(t.deps);
  const { secret } = await seedApiKey(t.deps, org.id, { mode: "test" });
  const request = checkedClient(t.app);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await request(path, {
      method,
      headers: {
        ...bearer(secret),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const endpoint = await call("POST", "/v1/webhooks/endpoints", {
    name: "Main",
    url: "https://hooks.example.com/kayle",
  });
  return { t, call, endpointId: endpoint.body.data.endpoint.id as string, created: endpoint };
}

Deno.test("key_id: used as kid, unique per endpoint, validated; absent keeps the whk_ id", async () => {
  const { t, call, endpointId, created } = await setup();
  try {
    const { publicJwk } = await sharedKeyPair();
    const path = `/v1/webhooks/endpoints/${endpointId}/keys`;
    const mine = await call("POST", path, {
      key_id: "acme:2026-06.rsa_1",
      algorithm: "RSA-OAEP-256",
      key_type: "RSA",
      jwk: publicJwk,
    });
    assert.equal(mine.status, 200);
    assert.equal(mine.status, created.status, "register answers like endpoint creation");
    assert.equal(mine.body.data.key_id, "acme:2026-06.rsa_1");
    assert.equal(mine.body.data.jwk.kid, "acme:2026-06.rsa_1");
    assert.match(mine.body.data.id, /^whk_[a-z0-9]{32}$/);

    const again = await call("POST", path, { key_id: "acme:2026-06.rsa_1", jwk: publicJwk });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "KEY_ID_IN_USE");

    for (const bad of ["", "x".repeat(129), "has space", "slash/no", "é"]) {
      const res = await call("POST", path, { key_id: bad, jwk: publicJwk });
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.equal(
      (await call("POST", path, { key_id: "x".repeat(128), jwk: publicJwk })).status,
      200,
    );

    const generated = await call("POST", path, { jwk: publicJwk });
    assert.equal(generated.status, 200);
    assert.match(generated.body.data.key_id, /^whk_[a-z0-9]{32}$/);
    assert.equal(generated.body.data.key_id, generated.body.data.id);

    // The same key_id on another endpoint is fine: unique per endpoint only.
    const other = await call("POST", "/v1/webhooks/endpoints", {
      name: "Other",
      url: "https://hooks.example.com/other",
    });
    const elsewhere = await call(
      "POST",
      `/v1/webhooks/endpoints/${other.body.data.endpoint.id}/keys`,
      {
        key_id: "acme:2026-06.rsa_1",
        jwk: publicJwk,
      },
    );
    assert.equal(elsewhere.status, 200);

    // Deactivate / reactivate take the generated id; active_key_id is that id.
    const re = await call("POST", `/v1/webhooks/keys/${mine.body.data.id}/reactivate`);
    assert.equal(re.status, 200);
    assert.equal(re.body.data.key_id, "acme:2026-06.rsa_1");
    const endpoint = await call("GET", `/v1/webhooks/endpoints/${endpointId}`);
    assert.equal(endpoint.body.data.active_key_id, mine.body.data.id);
  } finally {
    await t.close();
  }
});

Deno.test("key_id: a delivery's JWE carries the integrator's key_id as kid", async () => {
  const w = await world("kv_table");
  try {
    const { publicJwk } = await sharedKeyPair();
    const checked = await validatePublicJwk(publicJwk);
    if (!checked.ok) throw new Error(checked.problem.message);
    const entry = await w.t.deps.kv.get<EndpointRecord>(webhookKeys.endpoint(w.endpointId));
    const key = await addEncryptionKey(
      w.t.deps,
      entry as Deno.KvEntry<EndpointRecord>,
      checked,
      "integrator-key-7",
    );
    assert.ok(typeof key === "object");
    const event = await writeEvent(w.t.deps, w.orgId);
    await waitFor(() => w.receiver.received.some((r) => r.eventId === event.id));
    const got = w.receiver.received.find((r) => r.eventId === event.id)!;
    assert.equal(got.kid, "integrator-key-7");
  } finally {
    await w.stop();
  }
});
