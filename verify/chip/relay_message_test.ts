import assert from "node:assert/strict";
import { encodeChipAuthenticationRelay, parseChipAuthenticationRelay } from "./relay_message.ts";
import { startChipAuthentication, verifyChipAuthenticationRelay } from "./chip_authentication.ts";
import { encodeDg14 } from "../factory/data_groups.ts";
import { ecKeyPair } from "../factory/keys.ts";
import { ChipSimulator } from "../factory/chip_simulator.ts";

Deno.test("relay JSON round-trips through encode → JSON text → parse → verify", async () => {
  const pair = ecKeyPair("P-256");
  const dg14 = encodeDg14({ ca: { publicKey: pair.publicKey, cipher: "AES-128", keyId: 5 } });
  const start = await startChipAuthentication({ dg14 });
  assert.ok(!("ok" in start));
  const chip = new ChipSimulator({
    ca: { domainKey: pair.publicKey, privateScalar: pair.privateScalar, cipher: "AES-128" },
  });
  const exchange = await chip.runChipAuthentication(
    start.terminalPublicKey,
    await start.session.protectedCommand(),
  );
  const wire = JSON.parse(JSON.stringify(encodeChipAuthenticationRelay(exchange, start)));
  assert.equal(wire.v, 1);
  assert.equal(wire.protocol_oid, "0.4.0.127.0.7.2.2.3.2.2");
  assert.equal(wire.key_id, 5);
  const parsed = parseChipAuthenticationRelay(wire, start);
  assert.ok(parsed.ok);
  assert.deepEqual(await verifyChipAuthenticationRelay(start.session, parsed.relay), { ok: true });
});

Deno.test("relay JSON: wrong version, bad base64 and mismatched protocol are typed failures", () => {
  const good = {
    v: 1,
    protocol_oid: "0.4.0.127.0.7.2.2.3.2.2",
    command: "DLAAAA==",
    response: "mQKQAA==",
  };
  assert.ok(parseChipAuthenticationRelay(good).ok);
  const cases: Array<[unknown, string]> = [
    [null, "relay_malformed"],
    [[good], "relay_malformed"],
    [{ ...good, v: 2 }, "relay_version_unsupported"],
    [{ ...good, command: "not base64!" }, "relay_malformed"],
    [{ ...good, response: "" }, "relay_malformed"],
    [{ ...good, key_id: -1 }, "relay_malformed"],
  ];
  for (const [message, reason] of cases) {
    const result = parseChipAuthenticationRelay(message);
    assert.equal(!result.ok && result.reason, reason, JSON.stringify(message));
  }
  const mismatch = parseChipAuthenticationRelay(good, { protocolOid: "0.4.0.127.0.7.2.2.3.2.1" });
  assert.equal(!mismatch.ok && mismatch.reason, "relay_mismatch");
  const keyMismatch = parseChipAuthenticationRelay(good, {
    protocolOid: good.protocol_oid,
    keyId: 5,
  });
  assert.equal(!keyMismatch.ok && keyMismatch.reason, "relay_mismatch");
});
