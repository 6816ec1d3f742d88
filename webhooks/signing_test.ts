import assert from "node:assert/strict";
import { compactDecrypt, decodeProtectedHeader } from "jose";
import { encryptPayload } from "./signing.ts";
import { generateEncryptionKeyPair } from "./receiver.ts";
import type { PublicRsaJwk } from "./model.ts";

function publicJwk(jwk: JsonWebKey, kid: string): PublicRsaJwk {
  return { kty: "RSA", n: jwk.n!, e: jwk.e!, alg: "RSA-OAEP-256", use: "enc", kid };
}

/** The modulus with one bit of its last byte flipped (still odd): a look-alike public key. */
function lookAlike(n: string): string {
  const bytes = Uint8Array.fromBase64(n, { alphabet: "base64url" });
  bytes[bytes.length - 1] ^= 0x02;
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

Deno.test("a look-alike key with the same key id, used first, does not take this key's place", async () => {
  const pair = await generateEncryptionKeyPair(2048);
  const genuine = publicJwk(pair.publicJwk, "prod");
  const impostor = { ...genuine, n: lookAlike(genuine.n) };
  assert.equal(impostor.n.slice(0, 300), genuine.n.slice(0, 300));
  assert.notEqual(impostor.n, genuine.n);

  await encryptPayload(impostor, { type: "first, from another organization" });
  const jwe = await encryptPayload(genuine, { type: "verification.session.succeeded" });
  assert.equal(decodeProtectedHeader(jwe).kid, "prod");
  const { plaintext } = await compactDecrypt(jwe, pair.privateKey);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(plaintext)), {
    type: "verification.session.succeeded",
  });
});
