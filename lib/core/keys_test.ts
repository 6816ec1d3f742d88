import assert from "node:assert/strict";
import { constantTimeEqual, createServerKeys, SecretBoxError } from "./keys.ts";

const raw = new Uint8Array(32).fill(3);

Deno.test("keyed hashes are stable per purpose and differ across purposes and keys", async () => {
  const keys = await createServerKeys(raw);
  const other = await createServerKeys(new Uint8Array(32).fill(4));
  assert.equal(await keys.hash("secret"), await keys.hash("secret"));
  assert.match(await keys.hash("secret"), /^[0-9a-f]{64}$/);
  assert.notEqual(await keys.hash("secret"), await keys.hash("secret", "csrf"));
  assert.notEqual(await keys.hash("secret"), await other.hash("secret"));
});

Deno.test("secret box round-trips and refuses tampering and the wrong context", async () => {
  const keys = await createServerKeys(raw);
  const sealed = await keys.seal("whsec_abc", "endpoint:1");
  assert.notEqual(sealed.includes("whsec_abc"), true);
  assert.equal(await keys.open(sealed, "endpoint:1"), "whsec_abc");
  await assert.rejects(() => keys.open(sealed, "endpoint:2"), SecretBoxError);
  const [v, iv, ct] = sealed.split(".");
  const flipped = ct.slice(0, -2) + (ct.at(-2) === "A" ? "B" : "A") + ct.at(-1);
  await assert.rejects(() => keys.open(`${v}.${iv}.${flipped}`, "endpoint:1"), SecretBoxError);
  await assert.rejects(() => keys.open("garbage", "endpoint:1"), SecretBoxError);
  const other = await createServerKeys(new Uint8Array(32).fill(9));
  await assert.rejects(() => other.open(sealed, "endpoint:1"), SecretBoxError);
});

Deno.test("org-scoped derived keys differ per context", async () => {
  const keys = await createServerKeys(raw);
  const a = await keys.derive("org-claims", "org_a");
  const b = await keys.derive("org-claims", "org_b");
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, b);
  assert.deepEqual(a, await keys.derive("org-claims", "org_a"));
});

Deno.test("constant-time comparison", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("abc", "abd"), false);
  assert.equal(constantTimeEqual("abc", "abcd"), false);
});

Deno.test("a short server key is refused", async () => {
  await assert.rejects(() => createServerKeys(new Uint8Array(16)), /32 bytes/);
});

Deno.test("keyed hashes are the HMAC-SHA256 older versions stored (HKDF subkey, WebCrypto)", async () => {
  const raw = new Uint8Array(32).fill(9);
  const keys = await createServerKeys(raw);
  const hkdf = await crypto.subtle.importKey("raw", raw, "HKDF", false, ["deriveBits"]);
  const subkey = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new TextEncoder().encode("kayle-id/v1"),
      info: new TextEncoder().encode("secret-hash:"),
    },
    hkdf,
    256,
  );
  const hmac = await crypto.subtle.importKey(
    "raw",
    subkey,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  for (const value of ["api-key:kk_test_x", "é ünïcödé", ""]) {
    const mac = await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(value));
    assert.equal(await keys.hash(value), new Uint8Array(mac).toHex());
  }
});
