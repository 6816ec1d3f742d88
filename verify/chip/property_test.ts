/**
 * Property tests: random and mutated bytes never make the anti-cloning parsers throw; the answer
 * is always a typed failure (or, for an untouched input, success). ≥ 10,000 cases per parser.
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { parseDg14 } from "./dg14.ts";
import { parseDg15 } from "./dg15.ts";
import { ChipAuthenticationSession, verifyChipAuthenticationRelay } from "./chip_authentication.ts";
import { parseChipAuthenticationRelay } from "./relay_message.ts";
import { buildProtectedCommand, buildProtectedResponse } from "./protected_apdu.ts";
import { deriveSessionKeys } from "./secure_messaging.ts";
import { verifyActiveAuthentication } from "../active/active_authentication.ts";
import { encodeDg14, encodeDg15 } from "../factory/data_groups.ts";
import { ecKeyPair, rsaKeyPair } from "../factory/keys.ts";

const RUNS = 10_000;

/** Valid bytes with up to 4 bytes overwritten and an optional truncation or extension. */
function mutationOf(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.tuple(
    fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.integer({ min: -8, max: base.length + 8 }),
  ).map(([writes, cut]) => {
    const copy = base.slice();
    for (const [position, value] of writes) copy[position] = value;
    if (cut <= 0 || cut >= base.length) {
      return cut > base.length ? new Uint8Array([...copy, 0, 0]) : copy;
    }
    return copy.subarray(0, cut);
  });
}

const anyBytes = (base: Uint8Array) =>
  fc.oneof(mutationOf(base), fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 400 }));

const dg14 = encodeDg14({
  ca: { publicKey: ecKeyPair("brainpoolP256r1").publicKey, cipher: "AES-128", keyId: 1 },
  aaHash: "SHA-256",
  pace: true,
});

Deno.test("property: parseDg14 never throws on random or mutated input", () => {
  fc.assert(
    fc.property(anyBytes(dg14), (bytes) => {
      const result = parseDg14(bytes);
      assert.ok(result.ok || ["dg14_wrong_tag", "dg14_malformed"].includes(result.reason));
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: parseDg15 never throws on random or mutated input", async () => {
  const rsa = encodeDg15((await rsaKeyPair(1024, "property")).publicKey);
  const ec = encodeDg15(ecKeyPair("P-256").publicKey);
  fc.assert(
    fc.property(fc.oneof(anyBytes(rsa), anyBytes(ec)), (bytes) => {
      const result = parseDg15(bytes);
      assert.ok(result.ok || result.reason.startsWith("dg15_"));
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: AA verification of random signatures is always a typed failure", async () => {
  const pair = await rsaKeyPair(1024, "property");
  const dg15 = encodeDg15(pair.publicKey);
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.constant(dg15), mutationOf(dg15)),
      fc.uint8Array({ minLength: 0, maxLength: 140 }),
      fc.uint8Array({ minLength: 0, maxLength: 16 }),
      async (dg15Bytes, signature, challenge) => {
        const result = await verifyActiveAuthentication({ dg15: dg15Bytes, challenge, signature });
        // A random 1024-bit value is a valid ISO 9796-2 signature with negligible probability.
        assert.equal(result.ok, false);
      },
    ),
    { numRuns: RUNS },
  );
});

Deno.test("property: ECDSA AA with random or mutated signatures is a typed failure", async () => {
  const pair = ecKeyPair("P-256");
  const dg15 = encodeDg15(pair.publicKey);
  const ecDg14 = encodeDg14({ aaHash: "SHA-256" });
  const genuine = new Uint8Array(64).fill(1);
  await fc.assert(
    fc.asyncProperty(
      anyBytes(genuine),
      fc.uint8Array({ maxLength: 8 }),
      async (signature, challenge) => {
        const result = await verifyActiveAuthentication({
          dg15,
          dg14: ecDg14,
          challenge,
          signature,
        });
        assert.equal(result.ok, false);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("property: CA relay messages and protected APDUs never throw", async () => {
  const keys = deriveSessionKeys(new Uint8Array(32).fill(9), "3DES");
  const command = await buildProtectedCommand(keys, 1, { cla: 0, ins: 0xb0, p1: 0, p2: 0, le: 4 });
  const response = await buildProtectedResponse(keys, 2, Uint8Array.of(1, 2, 3, 4));
  assert.deepEqual(
    await verifyChipAuthenticationRelay(new ChipAuthenticationSession(keys), { command, response }),
    {
      ok: true,
    },
  );
  await fc.assert(
    fc.asyncProperty(anyBytes(command), anyBytes(response), async (c, r) => {
      const result = await verifyChipAuthenticationRelay(new ChipAuthenticationSession(keys), {
        command: c,
        response: r,
      });
      // Only the trailing Le byte of the command lies outside the MAC; everything else is covered.
      const same = (a: Uint8Array, b: Uint8Array) =>
        a.length === b.length && a.every((x, i) => x === b[i]);
      const covered = command.length - 1;
      const untouched = (c.length === covered || c.length === command.length) &&
        same(c.subarray(0, covered), command.subarray(0, covered)) &&
        same(r, response);
      assert.equal(result.ok, untouched);
    }),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(fc.oneof(fc.json().map((text) => JSON.parse(text)), fc.anything()), (message) => {
      const result = parseChipAuthenticationRelay(message);
      assert.equal(result.ok, false);
    }),
    { numRuns: RUNS },
  );
});
