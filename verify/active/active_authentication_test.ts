import assert from "node:assert/strict";
import { readVector, readVectorJson } from "../vectors_test_support.ts";
import { verifyActiveAuthentication } from "./active_authentication.ts";
import { digestMatchesChallenge, parseRepresentative } from "./iso9796_2.ts";
import { bigintToBytes, concatBytes, decodeUnsigned, encodeTlv, modPow } from "../chip/der.ts";
import { digest, type HashName } from "../chip/hashes.ts";
import { encodeDg14, encodeDg15 } from "../factory/data_groups.ts";
import { ChipSimulator } from "../factory/chip_simulator.ts";
import { ecKeyPair, rsaKeyPair } from "../factory/keys.ts";

const hex = (h: string) => Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
const flipBit = (bytes: Uint8Array, index: number) => {
  const copy = bytes.slice();
  copy[index] ^= 0x01;
  return copy;
};

interface AaVectorFile {
  vectors: Array<{ challenge: string; signature: string }>;
}

async function assertVectorSet(dir: string, file: string, expected: string[]) {
  const dg15 = readVector(`${dir}/DG15.bin`);
  const { vectors } = readVectorJson<AaVectorFile>(`${dir}/${file}`);
  assert.equal(vectors.length, expected.length);
  for (const [i, vector] of vectors.entries()) {
    const challenge = hex(vector.challenge);
    const signature = hex(vector.signature);
    assert.deepEqual(await verifyActiveAuthentication({ dg15, challenge, signature }), {
      ok: true,
      algorithm: expected[i],
    });
    const badChallenge = await verifyActiveAuthentication({
      dg15,
      challenge: flipBit(challenge, 7),
      signature,
    });
    assert.equal(!badChallenge.ok && badChallenge.reason, "signature_invalid");
    const badSignature = await verifyActiveAuthentication({
      dg15,
      challenge,
      signature: flipBit(signature, 40),
    });
    assert.equal(!badSignature.ok && badSignature.reason, "signature_invalid");
  }
}

Deno.test({
  name: "AA: the 4 real Slovenian signatures (SHA-1 trailer BC) verify; flipped bits fail",
  fn: () =>
    assertVectorSet("si-passport-aa", "aa_vectors.json", Array(4).fill("RSA-ISO9796-2-SHA-1")),
});

Deno.test({
  name: "AA: the real NZ signature (RSA-1792, trailer 34CC) verifies; flipped bits fail",
  fn: () => assertVectorSet("gmrtd-real/NZ", "aa_vector.json", ["RSA-ISO9796-2-SHA-256"]),
});

Deno.test({
  name: "AA: BSI specimen key signatures (BC and 34CC) verify; flipped bits fail",
  fn: () =>
    assertVectorSet("bsi-tr03105-5", "aa_vectors_generated.json", [
      "RSA-ISO9796-2-SHA-1",
      "RSA-ISO9796-2-SHA-1",
      "RSA-ISO9796-2-SHA-256",
      "RSA-ISO9796-2-SHA-256",
    ]),
});

Deno.test({
  name: "AA: Bouncy Castle vector and the ICAO 9303 Appendix F representative",
  fn: async () => {
    const bc = readVectorJson<Record<string, string>>("aa-iso9796-2/bouncycastle_iso9796test.json");
    const dg15 = encodeTlv(0x6f, hex(bc.public_key_spki_hex));
    const ok = await verifyActiveAuthentication({
      dg15,
      challenge: hex(bc.challenge),
      signature: hex(bc.signature),
    });
    assert.deepEqual(ok, { ok: true, algorithm: "RSA-ISO9796-2-SHA-1" });
    const icao = readVectorJson<Record<string, string>>(
      "aa-iso9796-2/icao9303_p11_appF_Fblock.json",
    );
    const parsed = parseRepresentative(hex(icao.F));
    assert.ok(parsed.ok);
    assert.equal(parsed.message.partialRecovery, true);
    assert.deepEqual(parsed.message.m1, hex(icao.M1));
    assert.deepEqual(parsed.message.digest, hex(icao.H));
    assert.ok(digestMatchesChallenge(parsed.message, hex(icao.M2_challenge)));
    assert.ok(!digestMatchesChallenge(parsed.message, flipBit(hex(icao.M2_challenge), 0)));
  },
});

Deno.test("AA: every trailer (BC, 33CC, 38CC, 34CC, 36CC, 35CC) with a synthetic RSA chip", async () => {
  const pair = await rsaKeyPair(1024, "aa-trailers");
  const dg15 = encodeDg15(pair.publicKey);
  const challenge = hex("0102030405060708");
  for (const hash of ["SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512"] as HashName[]) {
    const chip = new ChipSimulator({ aa: { pair, hash } });
    const signature = await chip.signActiveAuthentication(challenge);
    const result = await verifyActiveAuthentication({ dg15, challenge, signature });
    assert.deepEqual(result, { ok: true, algorithm: `RSA-ISO9796-2-${hash}` });
  }
  // Explicit SHA-1 trailer 33CC, signed by hand.
  const f = concatBytes(Uint8Array.of(0x6a), new Uint8Array(128 - 1 - 20 - 2).fill(7));
  const m1 = f.subarray(1);
  const representative = concatBytes(
    f,
    digest("SHA-1", concatBytes(m1, challenge)),
    Uint8Array.of(0x33, 0xcc),
  );
  const signature = bigintToBytes(
    modPow(decodeUnsigned(representative), pair.privateExponent, pair.publicKey.modulus),
    128,
  );
  assert.deepEqual(await verifyActiveAuthentication({ dg15, challenge, signature }), {
    ok: true,
    algorithm: "RSA-ISO9796-2-SHA-1",
  });
});

Deno.test("AA: full message recovery (header 4A with B…A padding) verifies", async () => {
  const pair = await rsaKeyPair(1024, "aa-trailers");
  const dg15 = encodeDg15(pair.publicKey);
  const challenge = hex("f173589974bf40c6");
  const m1 = hex("00112233445566778899");
  const paddingLength = 128 - 1 - m1.length - 32 - 2;
  const padding = concatBytes(new Uint8Array(paddingLength - 1).fill(0xbb), Uint8Array.of(0xba));
  const representative = concatBytes(
    Uint8Array.of(0x4b),
    padding,
    m1,
    digest("SHA-256", concatBytes(m1, challenge)),
    Uint8Array.of(0x34, 0xcc),
  );
  const signature = bigintToBytes(
    modPow(decodeUnsigned(representative), pair.privateExponent, pair.publicKey.modulus),
    128,
  );
  assert.deepEqual(await verifyActiveAuthentication({ dg15, challenge, signature }), {
    ok: true,
    algorithm: "RSA-ISO9796-2-SHA-256",
  });
  const wrong = await verifyActiveAuthentication({
    dg15,
    challenge: flipBit(challenge, 3),
    signature,
  });
  assert.equal(wrong.ok, false);
});

Deno.test("AA: ECDSA (plain r||s and DER) on P-256 and brainpool with the DG14 hash", async () => {
  for (
    const [curve, hash] of [["P-256", "SHA-256"], ["brainpoolP256r1", "SHA-1"], [
      "brainpoolP384r1",
      "SHA-384",
    ]] as const
  ) {
    const pair = ecKeyPair(curve);
    const dg15 = encodeDg15(pair.publicKey);
    const dg14 = encodeDg14({ aaHash: hash });
    const chip = new ChipSimulator({ aa: { pair, hash } });
    const challenge = crypto.getRandomValues(new Uint8Array(8));
    const plain = await chip.signActiveAuthentication(challenge);
    assert.deepEqual(
      await verifyActiveAuthentication({ dg15, dg14, challenge, signature: plain }),
      {
        ok: true,
        algorithm: `ECDSA-${hash}`,
      },
    );
    const half = plain.length / 2;
    const integer = (bytes: Uint8Array) => encodeTlv(0x02, concatBytes(Uint8Array.of(0), bytes));
    const der = encodeTlv(0x30, integer(plain.subarray(0, half)), integer(plain.subarray(half)));
    assert.equal(
      (await verifyActiveAuthentication({ dg15, dg14, challenge, signature: der })).ok,
      true,
    );
    const flipped = await verifyActiveAuthentication({
      dg15,
      dg14,
      challenge: flipBit(challenge, 0),
      signature: plain,
    });
    assert.equal(!flipped.ok && flipped.reason, "signature_invalid");
    const noDg14 = await verifyActiveAuthentication({ dg15, challenge, signature: plain });
    assert.equal(!noDg14.ok && noDg14.reason, "aa_hash_unknown");
  }
});

Deno.test("AA: a signature by another key fails; malformed inputs are typed failures", async () => {
  const pair = await rsaKeyPair(1024, "aa-trailers");
  const other = await rsaKeyPair(1024, "aa-other");
  const challenge = hex("0102030405060708");
  const signature = await new ChipSimulator({ aa: { pair: other, hash: "SHA-1" } })
    .signActiveAuthentication(challenge);
  const dg15 = encodeDg15(pair.publicKey);
  const result = await verifyActiveAuthentication({ dg15, challenge, signature });
  assert.equal(!result.ok && result.reason, "signature_invalid");
  const empty = await verifyActiveAuthentication({ dg15, challenge, signature: new Uint8Array(0) });
  assert.equal(!empty.ok && empty.reason, "signature_malformed");
  const long = await verifyActiveAuthentication({
    dg15,
    challenge,
    signature: new Uint8Array(200).fill(1),
  });
  assert.equal(!long.ok && long.reason, "signature_malformed");
  const badDg15 = await verifyActiveAuthentication({
    dg15: Uint8Array.of(1, 2, 3),
    challenge,
    signature,
  });
  assert.equal(!badDg15.ok && badDg15.reason, "dg15_malformed");
});
