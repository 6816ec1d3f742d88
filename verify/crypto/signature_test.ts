import assert from "node:assert/strict";
import { derNull, derOid, derSequence, parseCertificate } from "../asn1/mod.ts";
import { parseSod } from "../cms/mod.ts";
import { readVector, readVectorJson } from "../vectors_test_support.ts";
import {
  CryptoError,
  describePublicKey,
  digest,
  isSignedBy,
  nobleCurve,
  parsePublicKeyInfo,
  signatureScheme,
  verifyRsaBigInt,
  verifySignature,
} from "./mod.ts";

const COUNTRIES = ["AT", "AU", "CN", "DE", "FI", "FR", "MY", "NZ", "PH", "RU", "SG", "UK", "US"];

interface MockPair {
  dsc_signature_valid_under_csca: boolean;
  dsc_signature_algorithm_oid: string;
  dsc_key: string;
  csca_key: string;
}

function flipLastBit(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[copy.length - 1] ^= 1;
  return copy;
}

Deno.test({
  name:
    "mock-certs-selfxyz: every DSC verifies under its CSCA across the algorithm matrix; tampering fails",
  async fn() {
    const pairs =
      readVectorJson<{ pairs: Record<string, MockPair> }>("mock-certs-selfxyz/expected.json").pairs;
    assert.equal(Object.keys(pairs).length, 18);
    for (const [folder, expected] of Object.entries(pairs)) {
      const dsc = parseCertificate(readVector(`mock-certs-selfxyz/${folder}/dsc.der`));
      const csca = parseCertificate(readVector(`mock-certs-selfxyz/${folder}/csca.der`));
      assert.equal(dsc.signatureAlgorithm.oid, expected.dsc_signature_algorithm_oid, folder);
      assert.equal(describePublicKey(parsePublicKeyInfo(dsc.spki)), expected.dsc_key, folder);
      assert.equal(describePublicKey(parsePublicKeyInfo(csca.spki)), expected.csca_key, folder);
      assert.equal(
        await isSignedBy(dsc, csca.spki),
        expected.dsc_signature_valid_under_csca,
        folder,
      );
      const tampered = { ...dsc, tbsRaw: flipLastBit(dsc.tbsRaw) };
      assert.equal(await isSignedBy(tampered, csca.spki), false, `${folder} tampered`);
      assert.equal(await isSignedBy(dsc, dsc.spki), false, `${folder} wrong key`);
    }
  },
});

Deno.test({
  name: "gmrtd-real: DSC signatures under CSCA.der and CSCA self-signatures are as stated",
  async fn() {
    for (const cc of COUNTRIES) {
      const expected = readVectorJson<{ csca: { expected: Record<string, boolean> } }>(
        `gmrtd-real/${cc}/expected.json`,
      );
      const dsc = parseCertificate(readVector(`gmrtd-real/${cc}/DSC.der`));
      const csca = parseCertificate(readVector(`gmrtd-real/${cc}/CSCA.der`));
      assert.equal(
        await isSignedBy(dsc, csca.spki),
        expected.csca.expected.dsc_signature_valid_under_this_csca,
        cc,
      );
      assert.equal(
        await isSignedBy(csca, csca.spki),
        expected.csca.expected.csca_self_signature_valid,
        cc,
      );
      assert.equal(
        await isSignedBy({ ...dsc, signature: flipLastBit(dsc.signature) }, csca.spki),
        false,
        cc,
      );
    }
  },
});

Deno.test({
  name: "RSA: the bigint path agrees with WebCrypto on real PKCS#1 and PSS certificates",
  async fn() {
    for (const cc of ["AU", "CN", "MY", "PH", "SG", "US"]) {
      const dsc = parseCertificate(readVector(`gmrtd-real/${cc}/DSC.der`));
      const key = parsePublicKeyInfo(
        parseCertificate(readVector(`gmrtd-real/${cc}/CSCA.der`)).spki,
      );
      assert.equal(key.kind, "rsa");
      if (key.kind !== "rsa") continue;
      const scheme = signatureScheme(dsc.signatureAlgorithm);
      if (scheme.kind === "ecdsa") throw new Error(`${cc}: expected an RSA scheme`);
      assert.equal(await verifyRsaBigInt(key, scheme, dsc.tbsRaw, dsc.signature), true, cc);
      assert.equal(
        await verifyRsaBigInt(key, scheme, flipLastBit(dsc.tbsRaw), dsc.signature),
        false,
        cc,
      );
    }
  },
});

Deno.test("ECDSA: high-S signatures verify; noble and WebCrypto agree on P-256", async () => {
  const curve = nobleCurve("P-256");
  const secret = curve.utils.randomSecretKey();
  const publicKey = curve.getPublicKey(secret, false);
  const data = new TextEncoder().encode("signed attributes");
  const hash = await digest("sha256", data);
  const low = curve.Signature.fromBytes(curve.sign(hash, secret, { prehash: false }), "compact");
  const n = curve.Point.CURVE().n;
  const high = new curve.Signature(low.r, n - low.s);
  const spki = new Uint8Array(
    await crypto.subtle.exportKey(
      "spki",
      await crypto.subtle.importKey(
        "raw",
        publicKey,
        { name: "ECDSA", namedCurve: "P-256" },
        true,
        ["verify"],
      ),
    ),
  );
  for (const sig of [low, high]) {
    const valid = await verifySignature({
      algorithm: { oid: "1.2.840.10045.4.3.2" },
      publicKeyInfo: spki,
      data,
      signature: sig.toBytes("der"),
    });
    assert.equal(valid, true);
    assert.equal(
      curve.verify(sig.toBytes("compact"), hash, publicKey, { prehash: false, lowS: false }),
      true,
    );
  }
  const plain = await verifySignature({
    algorithm: { oid: "0.4.0.127.0.7.1.1.4.1.3" },
    publicKeyInfo: spki,
    data,
    signature: high.toBytes("compact"),
  });
  assert.equal(plain, true);
  const wrong = await verifySignature({
    algorithm: { oid: "1.2.840.10045.4.3.2" },
    publicKeyInfo: spki,
    data: flipLastBit(data),
    signature: high.toBytes("der"),
  });
  assert.equal(wrong, false);
});

Deno.test("signature layer: unusable algorithms and key mismatches are typed errors", async () => {
  assert.throws(
    () => signatureScheme({ oid: "1.2.3.4" }),
    (e) => e instanceof CryptoError && e.code === "unsupported_algorithm",
  );
  assert.throws(
    () => signatureScheme({ oid: "1.2.840.113549.1.1.1" }),
    (e) => e instanceof CryptoError && e.code === "unsupported_hash",
  );
  assert.deepEqual(signatureScheme({ oid: "1.2.840.113549.1.1.1" }, "2.16.840.1.101.3.4.2.1"), {
    kind: "rsa-pkcs1",
    hash: "sha256",
  });
  assert.deepEqual(signatureScheme({ oid: "1.2.840.113549.1.1.10" }), {
    kind: "rsa-pss",
    hash: "sha1",
    mgf1Hash: "sha1",
    saltLength: 20,
  });
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  await assert.rejects(
    verifySignature({
      algorithm: { oid: "1.2.840.113549.1.1.11" },
      publicKeyInfo: spki,
      data: new Uint8Array(1),
      signature: new Uint8Array(64),
    }),
    (e) => e instanceof CryptoError && e.code === "key_algorithm_mismatch",
  );
  assert.equal(describePublicKey(parsePublicKeyInfo(spki)), "EC named-curve(P-256)");
});

Deno.test({
  name:
    "signature layer: the algorithm may be given as DER AlgorithmIdentifier bytes (bare rsaEncryption + digest OID)",
  async fn() {
    const sod = parseSod(readVector("gmrtd-real/AU/EF_SOD.bin"));
    assert.equal(sod.signerInfo.signatureAlgorithm.oid, "1.2.840.113549.1.1.1");
    const input = {
      algorithm: derSequence(derOid("1.2.840.113549.1.1.1"), derNull()),
      publicKeyInfo: sod.certificates[0].spki,
      data: sod.signerInfo.signedAttrsForSignature!,
      signature: sod.signerInfo.signature,
    };
    await assert.rejects(
      verifySignature(input),
      (e) => e instanceof CryptoError && e.code === "unsupported_hash",
    );
    assert.equal(
      await verifySignature({ ...input, digestAlgorithmOid: sod.signerInfo.digestAlgorithm.oid }),
      true,
    );
    assert.equal(
      await verifySignature({ ...input, digestAlgorithmOid: "1.3.14.3.2.26" }),
      false,
      "wrong hash",
    );
  },
});
