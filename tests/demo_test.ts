/**
 * `deno task demo` against a real server on a fresh data directory: organization and test key,
 * webhook endpoint with a local receiver and an RSA key, a session, the reference phone, and the
 * decrypted webhook with the consented claims.
 */
import assert from "node:assert/strict";
import { webhookKeys } from "../webhooks/model.ts";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test({
  name: "demo: a fresh server delivers the decrypted success webhook with the claims",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { startServer } = await import("../main.ts");
    const { loadConfig } = await import("../lib/core/config.ts");
    const { runDemo } = await import("../scripts/demo.ts");
    const dataDir = await Deno.makeTempDir();
    const env = { KAYLE_DATA_DIR: dataDir, PORT: String(freePort()), KAYLE_LOG_LEVEL: "error" };
    const server = await startServer(loadConfig(env), {}, { bundle: false });
    try {
      const result = await runDemo({ baseUrl: server.url, env, waitMs: 20_000 });
      assert.equal(result.phone.status, "succeeded");
      const succeeded = result.events.find((e) => e.type === "verification.session.succeeded");
      assert.ok(succeeded, `events: ${result.events.map((e) => e.type)}`);
      const data = succeeded.data as {
        claims: Record<string, unknown>;
        selected_field_keys: string[];
      };
      assert.deepEqual(data.selected_field_keys, [
        "given_names",
        "family_name",
        "age_over_18",
        "nationality_code",
        "kayle_document_id",
      ]);
      assert.deepEqual(Object.keys(data.claims), data.selected_field_keys);
      assert.equal(data.claims.family_name, "ERIKSSON");
      assert.equal(data.claims.age_over_18, true);
      assert.match(String(data.claims.kayle_document_id), /^kdid_[0-9a-f]{64}$/);

      // A second run reuses the organization and replaces the key and the endpoint.
      const again = await runDemo({ baseUrl: server.url, env, waitMs: 20_000 });
      assert.equal(again.phone.status, "succeeded");
      const { openKv } = await import("../lib/core/kv.ts");
      const { listOrganizations } = await import("../lib/accounts/organizations.ts");
      const { listApiKeys } = await import("../lib/api_keys/api_keys.ts");
      const kv = await openKv(loadConfig(env).kvPath);
      try {
        const orgs = await listOrganizations(kv);
        assert.deepEqual(orgs.map((o) => o.slug), ["kayle-demo"]);
        assert.equal((await listApiKeys(kv, orgs[0].id)).length, 1);
        let endpoints = 0;
        for await (const _ of kv.list({ prefix: webhookKeys.allEndpointsPrefix() })) endpoints++;
        assert.equal(endpoints, 1);
      } finally {
        kv.close();
      }
    } finally {
      await server.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
