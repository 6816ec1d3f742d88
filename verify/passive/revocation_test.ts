import assert from "node:assert/strict";
import { parseCertificate, parseCrl } from "../asn1/mod.ts";
import { createKvTrustSource, createMemoryTrustSource, putTrustItem } from "../trust/mod.ts";
import { passiveAuthenticate } from "./mod.ts";
import { testCertificate, testCrl, testDocument, testKey, testSod } from "./pki_test_support.ts";

const AT = new Date("2022-06-01T00:00:00Z");

async function crlFor(
  doc: Awaited<ReturnType<typeof testDocument>>,
  revoked: bigint[],
  nextUpdate?: Date,
) {
  return await testCrl({
    issuer: doc.cscaName,
    signer: doc.cscaKey.privateKey,
    thisUpdate: new Date("2022-01-01"),
    nextUpdate,
    revoked,
  });
}

Deno.test("synthetic document: passes with a fresh CRL that does not list the DSC (not_revoked)", async () => {
  const doc = await testDocument();
  const trust = await createMemoryTrustSource({
    cscas: [doc.csca],
    crls: [await crlFor(doc, [7n], new Date("2023-01-01"))],
  });
  const result = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust,
    at: AT,
  });
  assert.ok(result.ok, result.ok ? "" : result.reason);
  assert.equal(result.revocation, "not_revoked");
  assert.deepEqual([...result.dataGroupHashes.keys()], [1, 2, 14]);
});

Deno.test("synthetic document: a stale CRL gives revocation_unknown, no CRL too", async () => {
  const doc = await testDocument();
  const stale = await createMemoryTrustSource({
    cscas: [doc.csca],
    crls: [await crlFor(doc, [], new Date("2022-02-01"))],
  });
  const result = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust: stale,
    at: AT,
  });
  assert.ok(result.ok);
  assert.equal(result.revocation, "revocation_unknown");
  assert.ok(result.warnings.includes("crl_stale"));
  const none = await createMemoryTrustSource({ cscas: [doc.csca] });
  const bare = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust: none,
    at: AT,
  });
  assert.equal(bare.ok && bare.revocation, "revocation_unknown");
});

Deno.test("synthetic document: a CRL listing the DSC serial fails with dsc_revoked", async () => {
  const doc = await testDocument();
  const trust = await createMemoryTrustSource({
    cscas: [doc.csca],
    crls: [await crlFor(doc, [doc.dscSerial], new Date("2023-01-01"))],
  });
  const result = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust,
    at: AT,
  });
  assert.equal(result.ok ? "ok" : result.reason, "dsc_revoked");
});

Deno.test("synthetic document: a CRL without nextUpdate still revokes what it lists", async () => {
  const doc = await testDocument();
  // nextUpdate is optional (RFC 5280 §5.1): the revoked list then follows thisUpdate directly.
  const crl = await crlFor(doc, [0x55n, doc.dscSerial]);
  const parsed = parseCrl(crl);
  assert.equal(parsed.nextUpdate, undefined);
  assert.deepEqual([...parsed.revoked.keys()], ["55", doc.dscSerial.toString(16).toUpperCase()]);
  const trust = await createMemoryTrustSource({ cscas: [doc.csca], crls: [crl] });
  const result = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust,
    at: AT,
  });
  assert.equal(result.ok ? "ok" : result.reason, "dsc_revoked");
});

Deno.test("synthetic document: a CRL signed by another key is ignored and reported", async () => {
  const doc = await testDocument();
  const forged = await testCrl({
    issuer: doc.cscaName,
    signer: (await testKey()).privateKey,
    thisUpdate: new Date("2022-01-01"),
    nextUpdate: new Date("2023-01-01"),
    revoked: [doc.dscSerial],
  });
  const trust = await createMemoryTrustSource({ cscas: [doc.csca], crls: [forged] });
  const result = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust,
    at: AT,
  });
  assert.ok(result.ok);
  assert.equal(result.revocation, "revocation_unknown");
  assert.ok(result.warnings.includes("crl_signature_invalid"));
});

Deno.test("synthetic document: the shell model judges every certificate at the verification time", async () => {
  const doc = await testDocument(new Date("2021-03-01T00:00:00Z"));
  const trust = await createMemoryTrustSource({ cscas: [doc.csca] });
  const at = (iso: string) =>
    passiveAuthenticate({ sod: doc.sod, dataGroups: doc.dataGroups, trust, at: new Date(iso) });
  // Signed while the DSC was valid, verified while it still is: accepted.
  const ok = await at("2021-06-01");
  assert.ok(ok.ok, ok.ok ? "" : ok.reason);
  assert.equal(ok.validityCheckedAt.toISOString(), "2021-06-01T00:00:00.000Z");
  // A signingTime inside the DSC validity no longer rescues a DSC expired at `at`.
  const late = await at("2026-01-01");
  assert.equal(late.ok ? "ok" : late.reason, "dsc_expired");
  // A back-dated document from a DSC key used after the DSC expired is refused even "in" time.
  const backDated = await testDocument(new Date("2025-06-01T00:00:00Z"));
  const refused = await passiveAuthenticate({
    sod: backDated.sod,
    dataGroups: backDated.dataGroups,
    trust: await createMemoryTrustSource({ cscas: [backDated.csca] }),
    at: new Date("2024-06-01"),
  });
  assert.equal(refused.ok ? "ok" : refused.reason, "signing_time_outside_dsc_validity");
});

Deno.test("synthetic document: missing DG1/DG2 and a changed DG are distinct failures", async () => {
  const doc = await testDocument();
  const trust = await createMemoryTrustSource({ cscas: [doc.csca] });
  const noDg2 = new Map(doc.dataGroups);
  noDg2.delete(2);
  const missing = await passiveAuthenticate({ sod: doc.sod, dataGroups: noDg2, trust, at: AT });
  assert.equal(missing.ok ? "ok" : missing.reason, "dg_missing");
  const notListed = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust,
    at: AT,
    requiredDataGroups: [1, 2, 15],
  });
  assert.equal(notListed.ok ? "ok" : notListed.reason, "dg_not_covered");
  const changed = new Map(doc.dataGroups);
  changed.set(14, new Uint8Array([0x6e, 0x01, 0x01]));
  const mismatch = await passiveAuthenticate({ sod: doc.sod, dataGroups: changed, trust, at: AT });
  assert.equal(mismatch.ok ? "ok" : mismatch.reason, "dg_hash_mismatch");
});

Deno.test("synthetic document: a trusted CSCA with the DSC issuer's name but another key gives dsc_signature_invalid", async () => {
  const doc = await testDocument();
  const other = await testKey();
  const impostor = await testCertificate({
    subject: doc.cscaName,
    issuer: doc.cscaName,
    serial: 9n,
    notBefore: new Date("2020-01-01"),
    notAfter: new Date("2030-01-01"),
    spki: other.spki,
    signer: other.privateKey,
    ski: new Uint8Array(20).fill(9),
    isCa: true,
  });
  const trust = await createMemoryTrustSource({ cscas: [impostor] });
  const result = await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust,
    at: AT,
  });
  assert.equal(result.ok ? "ok" : result.reason, "dsc_signature_invalid");
  assert.equal(parseCertificate(impostor).subject.key, parseCertificate(doc.csca).subject.key);
});

Deno.test("synthetic document: a SOD without the embedded DSC uses the trust store's DSCs", async () => {
  const doc = await testDocument();
  const sod = await testSod({
    dsc: doc.dsc,
    dscIssuer: doc.cscaName,
    dscSerial: doc.dscSerial,
    signer: doc.dscKey.privateKey,
    dataGroups: doc.dataGroups,
    omitDsc: true,
  });
  const trust = await createMemoryTrustSource({ cscas: [doc.csca], dscs: [doc.dsc] });
  const result = await passiveAuthenticate({ sod, dataGroups: doc.dataGroups, trust, at: AT });
  assert.ok(result.ok, result.ok ? "" : `${result.reason} ${result.detail}`);
  assert.equal(result.dscMatch, "trust_store");
  const without = await passiveAuthenticate({
    sod,
    dataGroups: doc.dataGroups,
    trust: await createMemoryTrustSource({ cscas: [doc.csca] }),
    at: AT,
  });
  assert.equal(without.ok ? "ok" : without.reason, "signer_not_found");
});

Deno.test("KV trust store: a CRL larger than one KV value (5,000 revoked serials) is stored in parts and still revokes", async () => {
  const doc = await testDocument();
  const serials = Array.from({ length: 5000 }, (_, i) => BigInt(i) + 0x10000000n);
  const big = await crlFor(doc, [...serials, doc.dscSerial], new Date("2023-01-01"));
  assert.ok(big.length > 64 * 1024, `CRL is ${big.length} bytes`);
  const kv = await Deno.openKv(":memory:");
  try {
    assert.equal(await putTrustItem(kv, "csca", parseCertificate(doc.csca), "test"), "imported");
    assert.equal(await putTrustItem(kv, "crl", parseCrl(big), "test"), "imported");
    assert.equal(await putTrustItem(kv, "crl", parseCrl(big), "test"), "duplicate");
    const result = await passiveAuthenticate({
      sod: doc.sod,
      dataGroups: doc.dataGroups,
      trust: createKvTrustSource(kv),
      at: AT,
    });
    assert.equal(result.ok ? "ok" : result.reason, "dsc_revoked");
  } finally {
    kv.close();
  }
});
