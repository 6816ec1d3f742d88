import assert from "node:assert/strict";
import { readVector } from "../vectors_test_support.ts";
import { startChipAuthentication, verifyChipAuthenticationRelay } from "./chip_authentication.ts";
import { parseDg14 } from "./dg14.ts";
import type { EcPublicKey } from "./public_key.ts";
import { ChipSimulator } from "../factory/chip_simulator.ts";
import { decodeEcPkcs8, dhKeyPair, ecKeyPair } from "../factory/keys.ts";
import { encodeDg14 } from "../factory/data_groups.ts";

async function started(dg14: Uint8Array, keyId?: number) {
  const start = await startChipAuthentication({ dg14, keyId });
  if ("ok" in start) throw new Error(`start failed: ${start.reason}`);
  return start;
}

Deno.test({
  name:
    "CA: a chip built from the BSI specimen key pair passes, a replay against another key fails",
  fn: async () => {
    const dg14 = readVector("bsi-tr03105-5/DG14.bin");
    const caPair = decodeEcPkcs8(readVector("bsi-tr03105-5/keys/DG14_ca_private_pkcs8.der"));
    const parsed = parseDg14(dg14);
    assert.ok(parsed.ok);
    const dg14Key = parsed.dg14.chipAuthenticationPublicKeys[0].publicKey as EcPublicKey;
    assert.deepEqual(caPair.publicKey.point, dg14Key.point, "the specimen key pair matches DG14");
    assert.equal(caPair.publicKey.curve.name, "brainpoolP224r1");

    const chip = new ChipSimulator({
      ca: { domainKey: dg14Key, privateScalar: caPair.privateScalar, cipher: "3DES" },
    });
    const first = await started(dg14);
    assert.equal(first.protocolOid, "0.4.0.127.0.7.2.2.3.2.1");
    assert.equal(first.cipher, "3DES");
    assert.equal(first.terminalPublicKey.length, 57);
    const exchange = await chip.runChipAuthentication(
      first.terminalPublicKey,
      await first.session.protectedCommand(),
    );
    assert.deepEqual(await verifyChipAuthenticationRelay(first.session, exchange), { ok: true });

    const second = await started(dg14);
    assert.notDeepEqual(await second.session.protectedCommand(), exchange.command);
    const replay = await verifyChipAuthenticationRelay(second.session, exchange);
    assert.equal(replay.ok, false);
    assert.equal(!replay.ok && replay.reason, "command_mac_invalid");
    // The server's command decides: a chip given another session's command refuses it (6988).
    const third = await started(dg14);
    const refused = await chip.runChipAuthentication(third.terminalPublicKey, exchange.command);
    assert.deepEqual([...refused.response], [0x69, 0x88]);
    const result = await verifyChipAuthenticationRelay(third.session, refused);
    assert.equal(!result.ok && result.reason, "command_mac_invalid");
  },
});

Deno.test("CA: AES-128/192/256 synthetic chips on P-256 and brainpool pass; wrong keys fail", async () => {
  const cases = [
    ["P-256", "AES-128"],
    ["brainpoolP256r1", "AES-192"],
    ["brainpoolP384r1", "AES-256"],
    ["P-384", "3DES"],
  ] as const;
  for (const [curve, cipher] of cases) {
    const pair = ecKeyPair(curve);
    const dg14 = encodeDg14({ ca: { publicKey: pair.publicKey, cipher, keyId: 7 } });
    const start = await started(dg14, 7);
    assert.equal(start.keyId, 7);
    assert.equal(start.cipher, cipher);
    const chip = new ChipSimulator({
      ca: { domainKey: pair.publicKey, privateScalar: pair.privateScalar, cipher },
    });
    const exchange = await chip.runChipAuthentication(
      start.terminalPublicKey,
      await start.session.protectedCommand(),
    );
    assert.deepEqual(
      await verifyChipAuthenticationRelay(start.session, exchange),
      { ok: true },
      curve,
    );

    const cloned = ecKeyPair(curve);
    const clone = new ChipSimulator({
      ca: { domainKey: pair.publicKey, privateScalar: cloned.privateScalar, cipher },
    });
    const again = await started(dg14, 7);
    const forged = await clone.runChipAuthentication(
      again.terminalPublicKey,
      await again.session.protectedCommand(),
    );
    // The clone derives other keys, refuses the server's command (6988) and cannot MAC a reply.
    assert.deepEqual([...forged.response], [0x69, 0x88]);
    const result = await verifyChipAuthenticationRelay(again.session, forged);
    assert.equal(!result.ok && result.reason, "response_not_protected");
  }
});

Deno.test("CA: DH (RFC 5114 group) works with AES", async () => {
  const pair = dhKeyPair();
  const dg14 = encodeDg14({ ca: { publicKey: pair.publicKey, cipher: "AES-128" } });
  const start = await started(dg14);
  assert.equal(start.protocolOid, "0.4.0.127.0.7.2.2.3.1.2");
  assert.equal(start.terminalPublicKey.length, 128);
  const chip = new ChipSimulator({
    ca: { domainKey: pair.publicKey, privateScalar: pair.privateScalar, cipher: "AES-128" },
  });
  const exchange = await chip.runChipAuthentication(
    start.terminalPublicKey,
    await start.session.protectedCommand(),
  );
  assert.deepEqual(await verifyChipAuthenticationRelay(start.session, exchange), { ok: true });
});

Deno.test("CA: a tampered response MAC, an unprotected response and a reused session fail", async () => {
  const pair = ecKeyPair("P-256");
  const dg14 = encodeDg14({ ca: { publicKey: pair.publicKey, cipher: "AES-128" } });
  const chip = new ChipSimulator({
    ca: { domainKey: pair.publicKey, privateScalar: pair.privateScalar, cipher: "AES-128" },
  });
  const start = await started(dg14);
  const exchange = await chip.runChipAuthentication(
    start.terminalPublicKey,
    await start.session.protectedCommand(),
  );
  const response = exchange.response.slice();
  response[response.length - 3] ^= 1;
  const bad = await verifyChipAuthenticationRelay(start.session, { ...exchange, response });
  assert.equal(!bad.ok && bad.reason, "response_mac_invalid");
  const reused = await verifyChipAuthenticationRelay(start.session, exchange);
  assert.equal(!reused.ok && reused.reason, "session_already_used");

  const other = await started(dg14);
  const plain = await verifyChipAuthenticationRelay(other.session, {
    command: await other.session.protectedCommand(),
    response: Uint8Array.of(0x69, 0x88),
  });
  assert.equal(!plain.ok && plain.reason, "response_not_protected");
});

Deno.test({
  name: "CA: DG14 without CA key (SG) is not offered; FR infers 3DES",
  fn: async () => {
    const sg = await startChipAuthentication({ dg14: readVector("gmrtd-real/SG/DG14.bin") });
    assert.equal("ok" in sg && sg.reason, "ca_not_offered");
    const fr = await started(readVector("gmrtd-real/FR/DG14.bin"));
    assert.equal(fr.protocolOid, "0.4.0.127.0.7.2.2.3.2.1");
    const de = await started(readVector("gmrtd-real/DE/DG14.bin"));
    assert.equal(de.keyId, 195);
    assert.equal(de.cipher, "AES-128");
    const wrongKey = await startChipAuthentication({
      dg14: readVector("gmrtd-real/DE/DG14.bin"),
      keyId: 1,
    });
    assert.equal("ok" in wrongKey && wrongKey.reason, "ca_key_not_found");
  },
});

Deno.test("CA: the ephemeral key comes from the injected random source", async () => {
  const pair = ecKeyPair("brainpoolP256r1");
  const dg14 = encodeDg14({ ca: { publicKey: pair.publicKey, cipher: "AES-128" } });
  const fixed = (length: number) => new Uint8Array(length).fill(0x5a);
  const a = await startChipAuthentication({ dg14, random: fixed });
  const b = await startChipAuthentication({ dg14, random: fixed });
  const c = await startChipAuthentication({ dg14 });
  assert.ok(!("ok" in a) && !("ok" in b) && !("ok" in c));
  assert.deepEqual(a.terminalPublicKey, b.terminalPublicKey);
  assert.notDeepEqual(a.terminalPublicKey, c.terminalPublicKey);
  assert.equal(a.terminalPublicKey[0], 0x04);
  assert.equal(JSON.stringify({ s: a.session }), '{"s":"[ChipAuthenticationSession]"}');
});

Deno.test("CA: a DG14 key off its curve is dg14_malformed, on WebCrypto's and noble's curves", async () => {
  for (const curve of ["P-256", "brainpoolP256r1"]) {
    const pair = ecKeyPair(curve);
    const point = pair.publicKey.point.slice();
    point[point.length - 1] ^= 1; // y no longer satisfies the curve equation
    const dg14 = encodeDg14({
      ca: { publicKey: { ...pair.publicKey, point } as EcPublicKey, cipher: "AES-128" },
    });
    const start = await startChipAuthentication({ dg14 });
    assert.deepEqual(start, {
      ok: false,
      reason: "dg14_malformed",
      detail: "the CA public key is not valid",
    });
  }
});
