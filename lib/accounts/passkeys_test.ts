import assert from "node:assert/strict";
import { createTestApp, seedOrganization } from "../../tests/support/app.ts";
import { SoftAuthenticator } from "../../tests/support/passkey_authenticator.ts";
import { getUser } from "./users.ts";
import {
  beginPasskeyAuthentication,
  beginPasskeyRegistration,
  cleanPasskeyName,
  deletePasskey,
  finishPasskeyAuthentication,
  finishPasskeyRegistration,
  listPasskeys,
  PASSKEY_CHALLENGE_TTL_MS,
  PasskeyError,
  refuseCounterRegression,
  relyingPartyOf,
  renamePasskey,
} from "./passkeys.ts";
import { toBase64Url } from "../core/ids.ts";

const ORIGIN = "http://localhost:8787";

async function world() {
  const t = await createTestApp({ publicUrl: ORIGIN });
  const { ownerId } = await seedOrganization(t.deps);
  const user = (await getUser(t.deps.kv, ownerId))!;
  const authenticator = await SoftAuthenticator.create();
  return { t, user, authenticator };
}

async function refusedWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e) => e instanceof PasskeyError && e.code === code);
}

Deno.test("relying party: hostname and origin of the public URL; IP addresses refused", () => {
  assert.deepEqual(relyingPartyOf("https://id.example.com"), {
    id: "id.example.com",
    origin: "https://id.example.com",
    name: "Kayle ID",
  });
  assert.equal(relyingPartyOf("http://localhost:8787")?.origin, "http://localhost:8787");
  assert.equal(relyingPartyOf("http://127.0.0.1:8787"), null);
  assert.equal(relyingPartyOf("http://[::1]:8787"), null);
});

Deno.test("passkeys: register, sign in, counter moves, rename, remove", async () => {
  const { t, user, authenticator } = await world();
  const options = await beginPasskeyRegistration(t.deps, user);
  assert.equal(options.rp.id, "localhost");
  assert.equal(options.authenticatorSelection?.residentKey, "required");
  const created = await finishPasskeyRegistration(
    t.deps,
    user,
    await authenticator.register(options, ORIGIN),
    "  Laptop\n",
  );
  assert.equal(created.id, authenticator.credentialId);
  assert.equal(created.name, "Laptop");
  assert.equal(created.userId, user.id);
  const request = await beginPasskeyAuthentication(t.deps);
  assert.deepEqual(request.allowCredentials ?? [], [], "discoverable: no credential list");
  const used = await finishPasskeyAuthentication(
    t.deps,
    await authenticator.authenticate(request, ORIGIN),
  );
  assert.equal(used.counter, 1);
  assert.equal(used.lastUsedAt, t.clock.now().toISOString());
  assert.ok(await renamePasskey(t.deps.kv, user.id, created.id, "Work laptop"));
  assert.equal((await listPasskeys(t.deps.kv, user.id))[0].name, "Work laptop");
  assert.equal(await deletePasskey(t.deps.kv, "usr_someoneelse", created.id), false);
  assert.ok(await deletePasskey(t.deps.kv, user.id, created.id));
  assert.deepEqual(await listPasskeys(t.deps.kv, user.id), []);
  await t.close();
});

Deno.test("passkeys: replayed and expired challenges are refused", async () => {
  const { t, user, authenticator } = await world();
  const options = await beginPasskeyRegistration(t.deps, user);
  const response = await authenticator.register(options, ORIGIN);
  await finishPasskeyRegistration(t.deps, user, response, "Key");
  await refusedWith(
    finishPasskeyRegistration(t.deps, user, response, "Key"),
    "PASSKEY_CHALLENGE_INVALID",
  );
  const request = await beginPasskeyAuthentication(t.deps);
  t.clock.advance(PASSKEY_CHALLENGE_TTL_MS + 1);
  await refusedWith(
    finishPasskeyAuthentication(t.deps, await authenticator.authenticate(request, ORIGIN)),
    "PASSKEY_CHALLENGE_INVALID",
  );
  await t.close();
});

Deno.test("passkeys: wrong origin, unknown credential and counter regression are refused", async () => {
  const { t, user, authenticator } = await world();
  const options = await beginPasskeyRegistration(t.deps, user);
  await finishPasskeyRegistration(
    t.deps,
    user,
    await authenticator.register(options, ORIGIN),
    "K",
  );
  const evil = await authenticator.authenticate(
    await beginPasskeyAuthentication(t.deps),
    "https://evil.example",
  );
  await refusedWith(finishPasskeyAuthentication(t.deps, evil), "PASSKEY_VERIFICATION_FAILED");
  const stranger = await SoftAuthenticator.create();
  await refusedWith(
    finishPasskeyAuthentication(
      t.deps,
      await stranger.authenticate(await beginPasskeyAuthentication(t.deps), ORIGIN, "localhost"),
    ),
    "PASSKEY_UNKNOWN_CREDENTIAL",
  );
  authenticator.counter = 5;
  await finishPasskeyAuthentication(
    t.deps,
    await authenticator.authenticate(await beginPasskeyAuthentication(t.deps), ORIGIN),
  );
  authenticator.counter = 3;
  await refusedWith(
    finishPasskeyAuthentication(
      t.deps,
      await authenticator.authenticate(await beginPasskeyAuthentication(t.deps), ORIGIN),
    ),
    "PASSKEY_COUNTER_REGRESSED",
  );
  await t.close();
});

Deno.test("passkeys: unavailable on an IP-address public URL", async () => {
  const t = await createTestApp();
  await refusedWith(beginPasskeyAuthentication(t.deps), "PASSKEYS_UNAVAILABLE");
  await t.close();
});

Deno.test("counter check: zero counters allowed, equal or lower refused", () => {
  const authData = (counter: number) => {
    const bytes = new Uint8Array(37);
    new DataView(bytes.buffer).setUint32(33, counter);
    return toBase64Url(bytes);
  };
  refuseCounterRegression(authData(0), 0);
  refuseCounterRegression(authData(8), 7);
  assert.throws(() => refuseCounterRegression(authData(7), 7), /went backwards/);
  assert.throws(() => refuseCounterRegression(authData(0), 7), /went backwards/);
  assert.throws(() => refuseCounterRegression("AAAA", 0), /did not verify/);
  assert.equal(cleanPasskeyName("a\u0000b".padEnd(100, "x")).length, 64);
});
