/**
 * Privacy (docs/privacy.md): after a complete successful verification with a webhook endpoint, nothing in
 * KV holds the document's personal data in clear — no names, document number, date of birth, MRZ
 * or portrait bytes. The claims exist only inside the delivery's JWE, which the integrator's
 * private key opens.
 */
import { generateEncryptionKeyPair } from "../webhooks/receiver.ts";
import assert from "node:assert/strict";
import { compactDecrypt } from "jose";
import { bearer } from "./support/app.ts";
import { createSession, setupHandoffApp } from "./support/handoff.ts";
import { createSyntheticPassport } from "../verify/mod.ts";

const encoder = new TextEncoder();

/** Every KV entry as text (keys, JSON values, and byte values read as Latin-1). */
async function dumpKv(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    const value = entry.value instanceof Uint8Array
      ? new TextDecoder("latin1").decode(entry.value)
      : JSON.stringify(
        entry.value,
        (_k, v) =>
          v instanceof Uint8Array
            ? new TextDecoder("latin1").decode(v)
            : typeof v === "bigint"
            ? String(v)
            : v,
      );
    out.push(`${JSON.stringify(entry.key)} ${value}`);
  }
  return out;
}

function contains(haystack: string, needle: Uint8Array): boolean {
  const text = new TextDecoder("latin1").decode(needle);
  return haystack.includes(text);
}

Deno.test("a finished verification leaves no personal data in KV; claims only inside the JWE", async () => {
  const t = await setupHandoffApp();
  try {
    const keys = await generateEncryptionKeyPair(2048);
    const json = (body: unknown) => ({
      method: "POST",
      headers: { ...bearer(t.secret), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const endpoint = await t.app.request(
      "/v1/webhooks/endpoints",
      json({ name: "privacy", url: "http://127.0.0.1:9/hook" }),
    );
    assert.equal(endpoint.status, 200, await endpoint.clone().text());
    const endpointId = (await endpoint.json()).data.endpoint.id;
    const jwk = keys.publicJwk;
    const key = await t.app.request(
      `/v1/webhooks/endpoints/${endpointId}/keys`,
      json({ jwk: { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RSA-OAEP-256" } }),
    );
    assert.ok(key.status === 200 || key.status === 201, await key.clone().text());
    const session = await createSession(t, {
      share_fields: {
        family_name: { required: true, reason: "Your name on the contract" },
        given_names: { required: true, reason: "Your name on the contract" },
        date_of_birth: { required: true, reason: "Age checks" },
        document_number: { required: true, reason: "Fraud checks" },
      },
    });
    const run = await t.app.request(
      `/v1/test_helpers/sessions/${session.id}/simulate`,
      json({ scenario: "success" }),
    );
    assert.equal(run.status, 200, await run.clone().text());
    const status =
      await (await t.app.request(`/v1/sessions/${session.id}`, { headers: bearer(t.secret) }))
        .json();
    assert.equal(status.data.outcome, "succeeded");

    const passport = await createSyntheticPassport({ now: t.deps.clock.now() });
    const dump = (await dumpKv(t.deps.kv)).join("\n");
    for (
      const secret of [
        "ERIKSSON",
        "ANNA MARIA",
        "ANNA<MARIA",
        "L898902C3",
        "1974-08-12",
        "740812",
        "P<UTO",
      ]
    ) {
      assert.ok(!dump.includes(secret), `KV holds "${secret}" in clear`);
    }
    const portrait = passport.files.dataGroups.get(2)!;
    assert.ok(!contains(dump, portrait.subarray(portrait.length - 64)), "KV holds portrait bytes");
    assert.ok(!contains(dump, passport.files.dataGroups.get(1)!), "KV holds DG1");

    // The claims did leave, encrypted for the integrator: the stored JWE opens with its key.
    const jwes = dump.match(
      /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g,
    ) ?? [];
    assert.ok(jwes.length >= 1, "a delivery keeps its encrypted payload until delivered");
    const privateKey = await crypto.subtle.importKey(
      "jwk",
      keys.privateJwk,
      { name: "RSA-OAEP", hash: "SHA-256" },
      false,
      ["decrypt"],
    );
    const opened = await Promise.all(jwes.map(async (jwe) => {
      const { plaintext } = await compactDecrypt(jwe, privateKey);
      return JSON.parse(new TextDecoder().decode(plaintext));
    }));
    const success = opened.find((e) => e.type === "verification.session.succeeded");
    assert.equal(success?.data.claims.family_name, "ERIKSSON");
    assert.ok(encoder.encode(success.data.claims.document_number).length > 0);
  } finally {
    await t.close();
  }
});
