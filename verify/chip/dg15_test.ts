import assert from "node:assert/strict";
import { readVector } from "../vectors_test_support.ts";
import { parseDg15 } from "./dg15.ts";
import { encodeDg15 } from "../factory/data_groups.ts";
import { ecKeyPair, rsaKeyPair } from "../factory/keys.ts";

Deno.test({
  name: "DG15 of real and specimen documents: RSA AA keys of the stated sizes",
  fn: () => {
    const sizes: Record<string, number> = {
      "si-passport-aa": 1024,
      "gmrtd-real/NZ": 1792,
      "bsi-tr03105-5": 1024,
      "etsi-eacaa": 1024,
    };
    for (const [set, bits] of Object.entries(sizes)) {
      const result = parseDg15(readVector(`${set}/DG15.bin`));
      assert.ok(result.ok, set);
      assert.equal(result.publicKey.kind, "rsa");
      assert.equal(result.publicKey.kind === "rsa" && result.publicKey.bits, bits, set);
      assert.equal(result.publicKey.kind === "rsa" && result.publicKey.exponent, 65537n);
    }
  },
});

Deno.test("DG15 round-trip of factory RSA and EC (explicit brainpool) keys", async () => {
  const rsa = await rsaKeyPair(1024, "dg15-test");
  const parsedRsa = parseDg15(encodeDg15(rsa.publicKey));
  assert.ok(parsedRsa.ok && parsedRsa.publicKey.kind === "rsa");
  assert.equal(parsedRsa.publicKey.modulus, rsa.publicKey.modulus);
  const ec = ecKeyPair("brainpoolP384r1");
  const parsedEc = parseDg15(encodeDg15(ec.publicKey));
  assert.ok(parsedEc.ok && parsedEc.publicKey.kind === "ec");
  assert.equal(parsedEc.publicKey.curve.name, "brainpoolP384r1");
  assert.deepEqual(parsedEc.publicKey.point, ec.publicKey.point);
});

Deno.test("DG15: wrong tag, garbage and unsupported keys are typed failures", () => {
  assert.equal(parseDg15(Uint8Array.of(0x6e, 0x00)).ok, false);
  const garbage = parseDg15(Uint8Array.of(0x6f, 0x03, 0x30, 0x01, 0x05));
  assert.equal(!garbage.ok && garbage.reason, "dg15_malformed");
  // SPKI with algorithm OID 1.2.3 and an empty key.
  const unknown = parseDg15(
    Uint8Array.of(0x6f, 0x0b, 0x30, 0x09, 0x30, 0x03, 0x06, 0x01, 0x2a, 0x03, 0x02, 0x00, 0x00),
  );
  assert.equal(!unknown.ok && unknown.reason, "dg15_unsupported_key");
});
