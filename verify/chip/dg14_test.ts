import assert from "node:assert/strict";
import { readVector } from "../vectors_test_support.ts";
import { parseDg14 } from "./dg14.ts";
import type { EcPublicKey } from "./public_key.ts";
import { encodeDg14 } from "../factory/data_groups.ts";
import { dhKeyPair, ecKeyPair } from "../factory/keys.ts";

function parsed(path: string) {
  const result = parseDg14(readVector(path));
  if (!result.ok) throw new Error(`${path}: ${result.reason}`);
  return result.dg14;
}

const curveOf = (dg14: ReturnType<typeof parsed>) =>
  (dg14.chipAuthenticationPublicKeys[0].publicKey as EcPublicKey).curve.name;

Deno.test({
  name: "DG14 of real passports: CA, PACE and TA infos, curves recognised by value",
  fn: () => {
    const at = parsed("gmrtd-real/AT/DG14.bin");
    assert.equal(at.chipAuthentication[0].cipher, "AES-128");
    assert.equal(curveOf(at), "brainpoolP256r1");
    const de = parsed("gmrtd-real/DE/DG14.bin");
    assert.equal(de.chipAuthentication[0].keyId, 195);
    assert.equal(de.chipAuthenticationPublicKeys[0].keyId, 195);
    assert.deepEqual(de.pace.map((p) => p.protocol), [
      "0.4.0.127.0.7.2.2.4.2.2",
      "0.4.0.127.0.7.2.2.4.6.2",
    ]);
    const fi = parsed("gmrtd-real/FI/DG14.bin");
    assert.equal(fi.chipAuthentication[0].cipher, "AES-256");
    assert.equal(curveOf(fi), "brainpoolP384r1");
    const my = parsed("gmrtd-real/MY/DG14.bin");
    assert.equal(my.chipAuthentication[0].cipher, "3DES");
    assert.equal(my.terminalAuthentication.length, 1);
  },
});

Deno.test({
  name: "DG14: FR has a CA key but no ChipAuthenticationInfo; SG holds only a PACEInfo",
  fn: () => {
    const fr = parsed("gmrtd-real/FR/DG14.bin");
    assert.equal(fr.chipAuthentication.length, 0);
    assert.equal(curveOf(fr), "P-256");
    assert.equal(fr.pace[0].parameterId, 12);
    const sg = parsed("gmrtd-real/SG/DG14.bin");
    assert.equal(sg.chipAuthenticationPublicKeys.length, 0);
    assert.equal(sg.chipAuthentication.length, 0);
    assert.deepEqual(sg.pace, [{
      protocol: "0.4.0.127.0.7.2.2.4.2.4",
      version: 2,
      parameterId: 13,
    }]);
  },
});

Deno.test({
  name: "DG14 of the BSI, ETSI and BDR specimens: explicit brainpoolP224r1 CA key with 3DES",
  fn: () => {
    for (const set of ["bsi-tr03105-5", "etsi-eacaa", "bdr-test-2008"]) {
      const dg14 = parsed(`${set}/DG14.bin`);
      assert.equal(curveOf(dg14), "brainpoolP224r1", set);
      assert.equal(dg14.chipAuthentication[0].protocol, "0.4.0.127.0.7.2.2.3.2.1");
      assert.equal(dg14.chipAuthentication[0].keyId, undefined);
      assert.equal(dg14.terminalAuthentication[0].version, 1);
      assert.equal(dg14.activeAuthentication, undefined);
    }
  },
});

Deno.test("DG14 round-trip from the factory: keys, key ids, AA info, DH", () => {
  const ec = ecKeyPair("brainpoolP256r1");
  const dg14 = parseDg14(
    encodeDg14({
      ca: { publicKey: ec.publicKey, cipher: "AES-256", keyId: 3 },
      aaHash: "SHA-384",
      pace: true,
    }),
  );
  assert.ok(dg14.ok);
  assert.equal(dg14.dg14.chipAuthentication[0].cipher, "AES-256");
  assert.equal(dg14.dg14.chipAuthentication[0].keyId, 3);
  assert.deepEqual(
    (dg14.dg14.chipAuthenticationPublicKeys[0].publicKey as EcPublicKey).point,
    ec.publicKey.point,
  );
  assert.equal(dg14.dg14.activeAuthentication?.hash, "SHA-384");
  assert.equal(dg14.dg14.activeAuthentication?.signatureAlgorithm, "0.4.0.127.0.7.1.1.4.1.4");
  const dh = dhKeyPair();
  const dhDg14 = parseDg14(encodeDg14({ ca: { publicKey: dh.publicKey, cipher: "3DES" } }));
  assert.ok(dhDg14.ok);
  const key = dhDg14.dg14.chipAuthenticationPublicKeys[0].publicKey;
  assert.equal(key.kind === "dh" && key.publicValue, dh.publicKey.publicValue);
  assert.equal(dhDg14.dg14.chipAuthentication[0].keyAgreement, "DH");
});

Deno.test("DG14: unknown infos are kept; wrong tag and truncation are typed failures", () => {
  // SET { SEQ { OID 1.2.3, INTEGER 1 } }
  const unknown = parseDg14(
    Uint8Array.of(0x6e, 0x09, 0x31, 0x07, 0x30, 0x05, 0x06, 0x02, 0x2a, 0x03, 0x02, 0x01, 0x01)
      .subarray(0, 11),
  );
  assert.equal(unknown.ok, false);
  const kept = parseDg14(
    Uint8Array.of(0x6e, 0x0a, 0x31, 0x08, 0x30, 0x06, 0x06, 0x01, 0x2a, 0x02, 0x01, 0x01),
  );
  assert.ok(kept.ok);
  assert.equal(kept.dg14.unknown[0].protocol, "1.2");
  assert.deepEqual(parseDg14(Uint8Array.of(0x6f, 0x00)), {
    ok: false,
    reason: "dg14_wrong_tag",
    detail: "DG14 must start with tag 6E",
  });
  const truncated = parseDg14(Uint8Array.of(0x6e, 0x05, 0x31));
  assert.equal(!truncated.ok && truncated.reason, "dg14_malformed");
});
