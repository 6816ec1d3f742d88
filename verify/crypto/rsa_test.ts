import assert from "node:assert/strict";
import { type RsaPublicKey, verifyRsa, verifyRsaBigInt } from "./rsa.ts";
import { MIN_RSA_BITS, verifySignature } from "./signature.ts";
import { CryptoError } from "./errors.ts";
import { digest, hashOid } from "./hash.ts";
import { bigIntToBytes, bytesToBigInt, concatBytes } from "../asn1/values.ts";
import { derNull, derOctetString, derOid, derSequence } from "../asn1/der_writer.ts";

const PKCS1_SHA256 = { kind: "rsa-pkcs1", hash: "sha256" } as const;
const data = new TextEncoder().encode("signedAttrs of a security object");

/** The integer cube root (floor), by Newton's method. */
function cubeRoot(x: bigint): bigint {
  let r = 1n << BigInt(Math.ceil(x.toString(2).length / 3) + 1);
  for (;;) {
    const next = (2n * r + x / (r * r)) / 3n;
    if (next >= r) return r;
    r = next;
  }
}

Deno.test("PKCS#1 v1.5: a signature forged for e = 3 with octets hidden in the DigestInfo fails", async () => {
  // Any 2048-bit modulus: the forgery needs no private key, only s^3 < n (no reduction).
  const key: RsaPublicKey = { n: (1n << 2047n) + 12345n * 2n + 1n, e: 3n, modulusBits: 2048 };
  const hash = await digest("sha256", data);
  // 00 01 FF×8 00 | SEQUENCE { AlgId, OCTET STRING hash, OCTET STRING <188 free octets> }: a
  // parser that reads the DigestInfo's first two elements finds the right hash and stops there.
  const algorithm = derSequence(derOid(hashOid("sha256")), derNull());
  const head = concatBytes([
    new Uint8Array([0x00, 0x01, ...new Array(8).fill(0xff), 0x00]),
    new Uint8Array([0x30, 0x82, 0x00, 241]),
    algorithm,
    derOctetString(hash),
    new Uint8Array([0x04, 0x82, 0x00, 188]),
  ]);
  assert.equal(head.length, 68);
  const free = 256 - head.length;
  const low = bytesToBigInt(head) << BigInt(free * 8);
  const high = low + (1n << BigInt(free * 8)) - 1n;
  const s = cubeRoot(high);
  assert.ok(s ** 3n >= low && s ** 3n <= high, "the cube lands on the crafted prefix");
  const forged = bigIntToBytes(s);
  assert.ok(forged.length < 256, "a short signature, as the forgery gives");

  assert.equal(await verifyRsaBigInt(key, PKCS1_SHA256, data, forged), false);
  assert.equal(await verifyRsa(key, PKCS1_SHA256, data, forged), false);
});

Deno.test("PKCS#1 v1.5: honest signatures verify with and without NULL parameters, padded or not", async () => {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const jwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const big = (v: string) => bytesToBigInt(Uint8Array.fromBase64(v, { alphabet: "base64url" }));
  const [n, e, d] = [big(jwk.n!), big(jwk.e!), big(jwk.d!)];
  const key: RsaPublicKey = { n, e, modulusBits: 2048 };
  const sign = (em: Uint8Array) => {
    let result = 1n, base = bytesToBigInt(em) % n, exponent = d;
    for (; exponent > 0n; exponent >>= 1n, base = base * base % n) {
      if (exponent & 1n) result = result * base % n;
    }
    return bigIntToBytes(result, 256);
  };
  const hash = await digest("sha256", data);
  const oid = derOid(hashOid("sha256"));
  for (const algorithm of [derSequence(oid, derNull()), derSequence(oid)]) {
    const digestInfo = derSequence(algorithm, derOctetString(hash));
    const em = new Uint8Array(256);
    em[1] = 1;
    em.fill(0xff, 2, 256 - digestInfo.length - 1);
    em.set(digestInfo, 256 - digestInfo.length);
    const signature = sign(em);
    assert.equal(await verifyRsaBigInt(key, PKCS1_SHA256, data, signature), true);
    assert.equal(await verifyRsa(key, PKCS1_SHA256, data, signature), true);
    // An encoder that dropped leading zero octets sent the same integer.
    let start = 0;
    while (signature[start] === 0) start++;
    assert.equal(await verifyRsa(key, PKCS1_SHA256, data, signature.subarray(start)), true);
    // One octet longer than the modulus is refused, even as a leading zero.
    assert.equal(
      await verifyRsa(key, PKCS1_SHA256, data, concatBytes([new Uint8Array(1), signature])),
      false,
    );
    const wrong = signature.slice();
    wrong[100] ^= 1;
    assert.equal(await verifyRsaBigInt(key, PKCS1_SHA256, data, wrong), false);
  }
  const webCrypto = new Uint8Array(
    await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, data),
  );
  assert.equal(await verifyRsaBigInt(key, PKCS1_SHA256, data, webCrypto), true);
});

Deno.test("a signature under an RSA key below 1024 bits is refused, not checked", async () => {
  const n = (1n << 511n) + 1n;
  for (const [bits, modulus] of [[512, n], [1023, (1n << 1022n) + 1n]] as const) {
    await assert.rejects(
      verifySignature({
        algorithm: { oid: "1.2.840.113549.1.1.11" },
        publicKeyInfo: {
          kind: "rsa",
          n: modulus,
          e: 65537n,
          modulusBits: bits,
          spki: new Uint8Array(),
        },
        data,
        signature: new Uint8Array(bits / 8),
      }),
      (error: unknown) => error instanceof CryptoError && error.code === "unsupported_key",
    );
  }
  assert.equal(MIN_RSA_BITS, 1024);
});
