import assert from "node:assert/strict";
import {
  agreeWithChip,
  computeSharedSecret,
  generateEphemeralKeyPair,
  type RandomSource,
} from "./key_agreement.ts";
import { DerError } from "./der.ts";
import { nobleCurve } from "./curves.ts";
import { dhKeyPair, ecKeyPair } from "../factory/keys.ts";
import type { EcPublicKey } from "./public_key.ts";

/** A deterministic random source: the same bytes for both paths of one comparison. */
function seeded(seed: number): RandomSource {
  return (length) => Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);
}

for (const curve of ["P-256", "P-384", "P-521", "brainpoolP256r1", "brainpoolP384r1"]) {
  Deno.test(`key agreement on ${curve}: the chip derives the same secret, both paths agree`, async () => {
    const chip = ecKeyPair(curve);
    for (const seed of [1, 2, 0xff]) {
      const agreement = await agreeWithChip(chip.publicKey, seeded(seed));
      // The chip's side, from the terminal's public key alone: the agreement is real.
      assert.deepEqual(
        computeSharedSecret(chip.publicKey, chip.privateScalar, agreement.publicKey),
        agreement.sharedSecret,
      );
      assert.equal(agreement.sharedSecret.length, chip.publicKey.curve.fieldLength);
      // The same random source through noble and BigInt gives the same bytes (WebCrypto's curves
      // are not a second implementation with a different result).
      const pair = generateEphemeralKeyPair(chip.publicKey, seeded(seed));
      assert.deepEqual(agreement.publicKey, pair.publicKey);
      assert.deepEqual(
        agreement.sharedSecret,
        computeSharedSecret(chip.publicKey, pair.privateScalar, chip.publicKey.point),
      );
    }
  });
}

Deno.test("key agreement in a DH group: the chip derives the same secret", async () => {
  const chip = dhKeyPair();
  const agreement = await agreeWithChip(chip.publicKey, seeded(3));
  assert.deepEqual(
    computeSharedSecret(chip.publicKey, chip.privateScalar, agreement.publicKey),
    agreement.sharedSecret,
  );
});

Deno.test("key agreement: a static key off its curve is refused as bad_key on both paths", async () => {
  for (const name of ["P-256", "brainpoolP256r1"]) {
    const valid = ecKeyPair(name).publicKey;
    const point = valid.point.slice();
    point[point.length - 1] ^= 1; // y no longer satisfies the curve equation
    const offCurve: EcPublicKey = { ...valid, point };
    await assert.rejects(
      agreeWithChip(offCurve, seeded(1)),
      (error) => error instanceof DerError && error.code === "bad_key",
    );
  }
});

Deno.test("key agreement: a compressed static key on a WebCrypto curve goes through noble", async () => {
  const chip = ecKeyPair("P-256");
  const compressed = nobleCurve(chip.publicKey.curve).Point.fromBytes(chip.publicKey.point)
    .toBytes(true);
  const agreement = await agreeWithChip({ ...chip.publicKey, point: compressed }, seeded(4));
  assert.deepEqual(
    computeSharedSecret(chip.publicKey, chip.privateScalar, agreement.publicKey),
    agreement.sharedSecret,
  );
});
