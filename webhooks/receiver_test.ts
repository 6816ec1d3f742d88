import assert from "node:assert/strict";
import {
  decryptKayleEvent,
  generateEncryptionKeyPair,
  receiveKayleWebhook,
  verifyKayleSignature,
  WebhookVerificationError,
} from "./receiver.ts";
import { encryptPayload, signatureHeader } from "./signing.ts";
import type { PublicRsaJwk } from "./model.ts";

const NOW = 1_780_000_000_000;
const t = Math.floor(NOW / 1000);
const secretA = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const secretB = "whsec_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "none";
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError);
    return error.code;
  }
}

Deno.test("signature: tolerance, rotation, tampering", async () => {
  const body = "eyJhbGciOi.x.y.z.w";
  const one = await signatureHeader([secretA], t, body);
  const both = await signatureHeader([secretB, secretA], t, body);
  const verify = (header: string | null, secret: string | string[], now = NOW, b = body) =>
    verifyKayleSignature({ body: b, header, secret, now });
  assert.equal(await verify(one, secretA), t);
  assert.equal(await verify(both, secretA), t, "old secret during rotation");
  assert.equal(await verify(both, secretB), t, "new secret during rotation");
  assert.equal(await verify(one, [secretB, secretA]), t, "receiver holding two secrets");
  assert.equal(await verify(one, secretA, NOW + 300_000), t, "exactly 5 minutes is accepted");
  assert.equal(await code(verify(one, secretA, NOW + 301_000)), "timestamp_out_of_tolerance");
  assert.equal(await code(verify(one, secretA, NOW - 301_000)), "timestamp_out_of_tolerance");
  assert.equal(await code(verify(one, secretB)), "signature_mismatch");
  assert.equal(await code(verify(one, secretA, NOW, body + "x")), "signature_mismatch");
  assert.equal(
    await code(verify(one.replace(`t=${t}`, `t=${t + 1}`), secretA)),
    "signature_mismatch",
  );
  assert.equal(await code(verify(null, secretA)), "missing_signature");
  assert.equal(await code(verify("v1=abc", secretA)), "malformed_signature");
});

Deno.test("receive: verifies, then decrypts with the private key", async () => {
  const pair = await generateEncryptionKeyPair(2048);
  const pub = pair.publicJwk;
  const jwk: PublicRsaJwk = {
    kty: "RSA",
    n: pub.n!,
    e: pub.e!,
    alg: "RSA-OAEP-256",
    use: "enc",
    kid: "whk_1",
  };
  const event = {
    type: "verification.session.expired",
    metadata: { contract_version: 1, event_id: "evt_1", verification_session_id: "vs_1" },
    data: {},
  };
  const jwe = await encryptPayload(jwk, event);
  const request = async (contentType = "application/jose") =>
    new Request("https://example.com/h", {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-kayle-signature": await signatureHeader([secretA], t, jwe),
      },
      body: jwe,
    });
  const privateJwk = pair.privateJwk;
  assert.deepEqual(
    await receiveKayleWebhook(await request(), {
      secret: secretA,
      privateKey: privateJwk as never,
      now: NOW,
    }),
    event,
  );
  assert.deepEqual(
    await receiveKayleWebhook(await request(), {
      secret: secretA,
      privateKey: pair.privateKey,
      now: NOW,
    }),
    event,
  );
  assert.equal(
    await code(
      receiveKayleWebhook(await request("application/json"), {
        secret: secretA,
        privateKey: pair.privateKey,
        now: NOW,
      }),
    ),
    "wrong_content_type",
  );
  const other = await generateEncryptionKeyPair(2048);
  assert.equal(await code(decryptKayleEvent(jwe, other.privateKey)), "decryption_failed");
  const [h] = jwe.split(".");
  assert.equal(JSON.parse(atob(h.replaceAll("-", "+").replaceAll("_", "/"))).kid, "whk_1");
});

Deno.test("generateEncryptionKeyPair: 3072-bit RSA-OAEP-256, the public half has no private members", async () => {
  const pair = await generateEncryptionKeyPair();
  assert.equal(pair.publicJwk.kty, "RSA");
  // n is base64url of the modulus: 3072 bits = 384 bytes = 512 characters.
  assert.equal(pair.publicJwk.n!.length, 512);
  for (const member of ["d", "p", "q", "dp", "dq", "qi"]) {
    assert.equal(member in pair.publicJwk, false, member);
    assert.ok(member in pair.privateJwk, member);
  }
  assert.equal(pair.privateKey.type, "private");
  assert.deepEqual(pair.privateKey.usages, ["decrypt"]);
});
