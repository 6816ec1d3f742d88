/**
 * `/v1/webhooks` over HTTP (`app.request`): endpoints with the secret shown once and sealed at
 * rest, URL rules, rotation and reveal, encryption keys and their rules, events and deliveries
 * listing, modes and organizations kept apart, scopes, pagination.
 */
import assert from "node:assert/strict";
import {
  bearer,
  createTestApp,
  seedApiKey,
  seedOrganization,
  type TestApp,
} from "./support/app.ts";
import { generateKeyPair, sharedKeyPair, writeEvent } from "./support/webhooks.ts";
import { createApiKey, type Scope } from "../lib/api_keys/api_keys.ts";
import { addMembershipOps, changeRole } from "../lib/accounts/organizations.ts";
import { checkedClient, lintDocument, openApiOf, validateDocument } from "./support/openapi.ts";
import { webhookKeys } from "../webhooks/model.ts";
import { eventKeys } from "../lib/events/events.ts";

async function setup(
  options: { scopes?: Scope[]; mode?: "live" | "test"; devMode?: boolean } = {},
) {
  const t = await createTestApp({ devMode: options.devMode ?? true });
  const { org } = await seedOrganization(t.deps);
  const { secret } = await seedApiKey(t.deps, org.id, {
    scopes: options.scopes,
    mode: options.mode ?? "test",
  });
  const request = checkedClient(t.app); // every response is checked against /openapi.json
  const call = async (method: string, path: string, body?: unknown, key = secret) => {
    const res = await request(path, {
      method,
      headers: {
        ...bearer(key),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const type = res.headers.get("content-type") ?? "";
    return { status: res.status, type, body: await res.json() };
  };
  return { t, orgId: org.id, secret, call };
}

const create = { name: "Main", url: "https://hooks.example.com/kayle" };

async function closeAll(t: TestApp) {
  await t.close();
}

Deno.test("creating an endpoint returns the secret once; it is sealed at rest", async () => {
  const { t, call } = await setup();
  try {
    const res = await call("POST", "/v1/webhooks/endpoints", create);
    assert.equal(res.status, 200);
    assert.match(res.type, /application\/json/);
    const { endpoint, signing_secret } = res.body.data;
    assert.match(signing_secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    assert.match(endpoint.id, /^whe_[a-z0-9]{32}$/);
    assert.equal(endpoint.mode, "test");
    assert.equal(endpoint.undelivered_payload_retention_hours, 72);
    assert.equal(endpoint.subscribed_event_types.length, 6);
    const got = await call("GET", `/v1/webhooks/endpoints/${endpoint.id}`);
    assert.equal(got.status, 200);
    assert.equal(JSON.stringify(got.body).includes(signing_secret), false);
    const raw = await t.deps.kv.get(webhookKeys.endpoint(endpoint.id));
    assert.equal(
      JSON.stringify(raw.value).includes(signing_secret.slice(6)),
      false,
      "sealed at rest",
    );
    const revealed = await call(
      "POST",
      `/v1/webhooks/endpoints/${endpoint.id}/signing-secret/reveal`,
    );
    assert.equal(revealed.body.data.signing_secret, signing_secret);
    const rotated = await call(
      "POST",
      `/v1/webhooks/endpoints/${endpoint.id}/signing-secret/rotate`,
    );
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.data.signing_secret, signing_secret);
    assert.equal(
      new Date(rotated.body.data.previous_secret_expires_at).getTime() - t.clock.now().getTime(),
      24 * 3600_000,
    );
    const after = await call("POST", `/v1/webhooks/endpoints/${endpoint.id}/signing-secret/reveal`);
    assert.equal(after.body.data.signing_secret, rotated.body.data.signing_secret);
  } finally {
    await closeAll(t);
  }
});

Deno.test("reveal: only through a key an owner created, or the operator's; an admin's key is refused", async () => {
  const t = await createTestApp({ devMode: true });
  try {
    const { org, ownerId } = await seedOrganization(t.deps);
    for (const [userId, role] of [["usr_admin", "admin"], ["usr_owner2", "owner"]] as const) {
      const membership = { orgId: org.id, userId, role, createdAt: "" };
      assert.ok((await addMembershipOps(t.deps.kv.atomic(), membership).commit()).ok);
    }
    const keyOf = async (createdBy: string | null) =>
      (await createApiKey(t.deps, {
        orgId: org.id,
        name: `by ${createdBy}`,
        scopes: ["webhooks:write"],
        mode: "test",
        createdBy,
      })).secret;
    const [operator, owner, admin] = [
      await keyOf(null),
      await keyOf(ownerId),
      await keyOf("usr_admin"),
    ];
    const request = checkedClient(t.app);
    const created = await request("/v1/webhooks/endpoints", {
      method: "POST",
      headers: { ...bearer(admin), "content-type": "application/json" },
      body: JSON.stringify(create),
    });
    const { endpoint, signing_secret } = (await created.json()).data;
    const reveal = (key: string) =>
      request(`/v1/webhooks/endpoints/${endpoint.id}/signing-secret/reveal`, {
        method: "POST",
        headers: bearer(key),
      });
    for (const key of [operator, owner]) {
      const res = await reveal(key);
      assert.equal(res.status, 200);
      assert.equal((await res.json()).data.signing_secret, signing_secret);
    }
    const refused = await reveal(admin);
    assert.equal(refused.status, 403);
    const body = await refused.json();
    assert.equal(body.error.code, "FORBIDDEN");
    assert.equal(JSON.stringify(body).includes(signing_secret), false);
    // The creator's role now, not when the key was made: a demoted owner's key stops revealing.
    assert.equal(await changeRole(t.deps.kv, org.id, ownerId, "admin"), "ok");
    const demoted = await reveal(owner);
    assert.equal(demoted.status, 403);
    await demoted.body?.cancel();
  } finally {
    await closeAll(t);
  }
});

Deno.test("webhook URLs: https only, loopback http in development, private and metadata refused", async () => {
  const dev = await setup();
  const prod = await setup({ devMode: false, mode: "live" });
  try {
    const cases: Array<[typeof dev, string, number, string?]> = [
      [dev, "http://127.0.0.1:9999/h", 200],
      [dev, "http://localhost:9999/h", 200],
      [dev, "http://example.com/h", 400, "INVALID_WEBHOOK_URL"],
      [dev, "https://10.1.2.3/h", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "http://127.0.0.1:9999/h", 400, "INVALID_WEBHOOK_URL"],
      [prod, "https://127.0.0.1/h", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "https://169.254.169.254/latest/meta-data", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "https://metadata.google.internal/computeMetadata/v1", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "https://[fd00:ec2::254]/", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "https://[::ffff:192.168.0.1]/", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "https://100.64.0.1/", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "https://0x7f.1/", 400, "WEBHOOK_URL_BLOCKED"],
      [prod, "https://user:pw@example.com/", 400, "INVALID_WEBHOOK_URL"],
      [prod, "ftp://example.com/", 400, "INVALID_WEBHOOK_URL"],
      [prod, `https://example.com/${"a".repeat(2048)}`, 400, "BAD_REQUEST"],
      [prod, "https://hooks.example.com/kayle", 200],
    ];
    for (const [world, url, status, code] of cases) {
      const res = await world.call("POST", "/v1/webhooks/endpoints", { name: "x", url });
      assert.equal(res.status, status, url);
      if (code) assert.equal(res.body.error.code, code, url);
    }
  } finally {
    await dev.t.close();
    await prod.t.close();
  }
});

Deno.test("PATCH needs a field and validates; DELETE removes; other orgs and modes see 404", async () => {
  const { t, call, orgId } = await setup();
  try {
    const id = (await call("POST", "/v1/webhooks/endpoints", create)).body.data.endpoint.id;
    const empty = await call("PATCH", `/v1/webhooks/endpoints/${id}`, {});
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error.code, "BAD_REQUEST");
    const badRetention = await call("PATCH", `/v1/webhooks/endpoints/${id}`, {
      undelivered_payload_retention_hours: 48,
    });
    assert.equal(badRetention.status, 400);
    const tooManyLabels = await call("PATCH", `/v1/webhooks/endpoints/${id}`, {
      labels: "abcdefghi".split(""),
    });
    assert.equal(tooManyLabels.status, 400);
    const patched = await call("PATCH", `/v1/webhooks/endpoints/${id}`, {
      enabled: false,
      labels: ["prod"],
      subscribed_event_types: ["verification.session.succeeded"],
      undelivered_payload_retention_hours: 0,
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(
      [
        patched.body.data.enabled,
        patched.body.data.labels,
        patched.body.data.undelivered_payload_retention_hours,
      ],
      [false, ["prod"], 0],
    );
    const { secret: liveKey } = await seedApiKey(t.deps, orgId, { mode: "live" });
    assert.equal(
      (await call("GET", `/v1/webhooks/endpoints/${id}`, undefined, liveKey)).status,
      404,
    );
    const other = await seedOrganization(t.deps);
    const { secret: otherKey } = await seedApiKey(t.deps, other.org.id);
    const foreign = await call("GET", `/v1/webhooks/endpoints/${id}`, undefined, otherKey);
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, "NOT_FOUND");
    const deleted = await call("DELETE", `/v1/webhooks/endpoints/${id}`);
    assert.deepEqual(deleted.body.data, { id, object: "webhook_endpoint", deleted: true });
    assert.equal((await call("GET", `/v1/webhooks/endpoints/${id}`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("scopes: webhooks:read lists but cannot write", async () => {
  const { t, call } = await setup({ scopes: ["webhooks:read"] });
  try {
    assert.equal((await call("GET", "/v1/webhooks/endpoints")).status, 200);
    const res = await call("POST", "/v1/webhooks/endpoints", create);
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "FORBIDDEN");
  } finally {
    await t.close();
  }
});

Deno.test("encryption keys: validation codes, one active key, deactivate and reactivate", async () => {
  const { t, call } = await setup();
  try {
    const id = (await call("POST", "/v1/webhooks/endpoints", create)).body.data.endpoint.id;
    const { publicJwk, privateJwk } = await sharedKeyPair();
    const small = await generateKeyPair(1024);
    const bad: Array<[unknown, string]> = [
      [privateJwk, "PRIVATE_KEY_NOT_ALLOWED"],
      [small.publicJwk, "ENCRYPTION_KEY_TOO_SMALL"],
      [{ ...publicJwk, alg: "RSA-OAEP" }, "INVALID_ENCRYPTION_KEY"],
      [{ kty: "EC", crv: "P-256", x: "AA", y: "AA" }, "INVALID_ENCRYPTION_KEY"],
      [{ ...publicJwk, n: "not base64url!" }, "INVALID_ENCRYPTION_KEY"],
    ];
    for (const [jwk, code] of bad) {
      const res = await call("POST", `/v1/webhooks/endpoints/${id}/keys`, { jwk });
      assert.equal(res.status, 400, code);
      assert.equal(res.body.error.code, code);
    }
    const first = await call("POST", `/v1/webhooks/endpoints/${id}/keys`, {
      jwk: publicJwk,
      algorithm: "RSA-OAEP-256",
    });
    assert.equal(first.status, 200, "the same status as endpoint creation");
    assert.match(first.body.data.key_id, /^whk_[a-z0-9]{32}$/);
    assert.deepEqual(
      [
        first.body.data.algorithm,
        first.body.data.key_type,
        first.body.data.status,
        first.body.data.modulus_bits,
      ],
      ["RSA-OAEP-256", "RSA", "active", 2048],
    );
    assert.equal("d" in first.body.data.jwk, false);
    const second = await call("POST", `/v1/webhooks/endpoints/${id}/keys`, { jwk: publicJwk });
    const list = await call("GET", `/v1/webhooks/endpoints/${id}/keys`);
    const statuses = Object.fromEntries(
      list.body.data.map((k: { key_id: string; status: string }) => [k.key_id, k.status]),
    );
    assert.deepEqual(statuses, {
      [first.body.data.key_id]: "inactive",
      [second.body.data.key_id]: "active",
    });
    const re = await call("POST", `/v1/webhooks/keys/${first.body.data.key_id}/reactivate`);
    assert.equal(re.body.data.status, "active");
    const endpoint = await call("GET", `/v1/webhooks/endpoints/${id}`);
    assert.equal(endpoint.body.data.active_key_id, first.body.data.key_id);
    const de = await call("POST", `/v1/webhooks/keys/${first.body.data.key_id}/deactivate`);
    assert.equal(de.body.data.status, "inactive");
    assert.equal((await call("GET", `/v1/webhooks/endpoints/${id}`)).body.data.active_key_id, null);
    const keys = await call("GET", `/v1/webhooks/endpoints/${id}/keys`);
    assert.ok(keys.body.data.every((k: { status: string }) => k.status === "inactive"));
    assert.equal(
      (await call("POST", `/v1/webhooks/keys/whk_${"0".repeat(32)}/deactivate`)).status,
      404,
    );
  } finally {
    await t.close();
  }
});

Deno.test("events fan out to matching endpoints only; no active key is recorded as failed", async () => {
  const { t, call, orgId } = await setup();
  try {
    const { publicJwk } = await sharedKeyPair();
    const mk = async (body: Record<string, unknown>, withKey = true) => {
      const id =
        (await call("POST", "/v1/webhooks/endpoints", { ...create, ...body })).body.data.endpoint
          .id;
      if (withKey) await call("POST", `/v1/webhooks/endpoints/${id}/keys`, { jwk: publicJwk });
      return id as string;
    };
    const all = await mk({ name: "all" });
    const onlyFailed = await mk({
      name: "failed only",
      subscribed_event_types: ["verification.session.failed"],
    });
    const disabled = await mk({ name: "off", enabled: false });
    const keyless = await mk({ name: "keyless" }, false);
    const event = await writeEvent(t.deps, orgId);
    await writeEvent(t.deps, orgId, { mode: "live" });
    const res = await call("GET", `/v1/webhooks/events/${event.id}`);
    assert.equal(res.status, 200);
    const byEndpoint = Object.fromEntries(
      res.body.data.deliveries.map((
        d: { endpoint_id: string; status: string; failure_reason: string },
      ) => [
        d.endpoint_id,
        `${d.status}/${d.failure_reason}`,
      ]),
    );
    assert.deepEqual(byEndpoint, { [all]: "pending/null", [keyless]: "failed/no_active_key" });
    assert.equal(byEndpoint[onlyFailed] ?? byEndpoint[disabled], undefined);
    assert.deepEqual(res.body.data.data.claim_keys, ["family_name", "kayle_document_id"]);
    assert.equal("claims" in res.body.data.data, false);
    const named = await writeEvent(t.deps, orgId, { webhookEndpointId: keyless });
    const namedDeliveries = await call("GET", `/v1/webhooks/deliveries?event_id=${named.id}`);
    assert.deepEqual(namedDeliveries.body.data.map((d: { endpoint_id: string }) => d.endpoint_id), [
      keyless,
    ]);
    const events = await call("GET", "/v1/webhooks/events?limit=1");
    assert.equal(events.body.data.length, 1);
    assert.equal(events.body.pagination.has_more, true);
    const next = await call(
      "GET",
      `/v1/webhooks/events?limit=5&starting_after=${events.body.pagination.next_cursor}`,
    );
    assert.equal(next.body.data.length, 1, "the live event is not listed for a test key");
    const badCursor = await call("GET", "/v1/webhooks/events?starting_after=evt_nope");
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.error.code, "INVALID_REQUEST");
    const failed = await call("GET", "/v1/webhooks/deliveries?status=failed");
    assert.equal(failed.body.data.length, 2);
    const one = await call("GET", `/v1/webhooks/deliveries/${failed.body.data[0].id}`);
    assert.deepEqual(one.body.data.attempts, []);
    assert.equal(one.body.data.payload_retained, false);
    const retry = await call("POST", `/v1/webhooks/deliveries/${failed.body.data[0].id}/retry`);
    assert.equal(retry.status, 409);
    assert.equal(retry.body.error.code, "WEBHOOK_PAYLOAD_EXPIRED");
  } finally {
    await t.close();
  }
});

Deno.test("an event and its deliveries are committed together or not at all", async () => {
  const { t, call, orgId } = await setup();
  try {
    const { publicJwk } = await sharedKeyPair();
    const id = (await call("POST", "/v1/webhooks/endpoints", create)).body.data.endpoint.id;
    await call("POST", `/v1/webhooks/endpoints/${id}/keys`, { jwk: publicJwk });
    const { addEventToCommit } = await import("../lib/events/events.ts");
    await t.deps.kv.set(["state"], 1);
    const op = t.deps.kv.atomic().check({ key: ["state"], versionstamp: null });
    const event = await addEventToCommit(t.deps, op, {
      orgId,
      mode: "test",
      type: "verification.session.expired",
      sessionId: `vs_${"b".repeat(64)}`,
      data: {},
    });
    assert.equal((await op.commit()).ok, false);
    assert.equal((await t.deps.kv.get(eventKeys.event(event.id))).value, null);
    assert.equal((await call("GET", "/v1/webhooks/deliveries")).body.data.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("Idempotency-Key on endpoint creation replays the first response", async () => {
  const { t, secret } = await setup();
  try {
    const post = (body: unknown) =>
      t.app.request("/v1/webhooks/endpoints", {
        method: "POST",
        headers: {
          ...bearer(secret),
          "content-type": "application/json",
          "idempotency-key": "k-1",
        },
        body: JSON.stringify(body),
      });
    const first = await post(create);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("cache-control"), "no-store");
    const firstBody = await first.json();
    const again = await post(create);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(await again.json(), firstBody);
    const other = await post({ ...create, name: "Other" });
    assert.equal(other.status, 409);
    assert.equal((await other.json()).error.code, "CONFLICT");
  } finally {
    await t.close();
  }
});

Deno.test("the webhook operations are in the OpenAPI document, valid and lint-clean", async () => {
  const { t } = await setup();
  try {
    const { doc } = await openApiOf(t.app);
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith("/v1/webhooks"));
    assert.equal(paths.length, 14, "13 + the test event");
    assert.deepEqual(await validateDocument(doc), []);
    const problems = (await lintDocument(doc)).filter((p) => p.includes("/v1~1webhooks"));
    assert.deepEqual(problems.filter((p) => p.startsWith("error")), []);
  } finally {
    await t.close();
  }
});
