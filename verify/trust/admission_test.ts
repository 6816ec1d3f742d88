import assert from "node:assert/strict";
import { certificateFingerprint, parseCertificate } from "../asn1/mod.ts";
import { createCertificate } from "../factory/certificates.ts";
import {
  CONFORMANCE_CSCA_NAME,
  createConformanceDocument,
} from "../factory/conformance_test_support.ts";
import { createSigner } from "../factory/signers.ts";
import { checkMasterListSigner, importTrustFile, listTrustItems } from "./mod.ts";

const NOW = new Date("2026-06-01T00:00:00Z");

Deno.test("admission: a master list's signer and root need their key usage and validity today", async () => {
  const good = await createConformanceDocument();
  const root = parseCertificate(good.cscaCertificate);
  const signer = parseCertificate(good.dscCertificate); // digitalSignature, not a CA
  assert.equal(checkMasterListSigner(signer, root, NOW, false), null);
  const noCertSign = parseCertificate(
    (await createConformanceDocument({ csca: { keyUsage: ["cRLSign"] } })).cscaCertificate,
  );
  assert.equal(
    checkMasterListSigner(signer, noCertSign, NOW, false)?.reason,
    "master_list_root_key_usage_invalid",
  );
  const notCa = parseCertificate(
    (await createConformanceDocument({ csca: { basicConstraintsCa: false } })).cscaCertificate,
  );
  assert.equal(
    checkMasterListSigner(signer, notCa, NOW, false)?.reason,
    "master_list_root_key_usage_invalid",
  );
  const encipherOnly = parseCertificate(
    (await createConformanceDocument({ dsc: { keyUsage: ["keyEncipherment"] } })).dscCertificate,
  );
  assert.equal(
    checkMasterListSigner(encipherOnly, root, NOW, false)?.reason,
    "master_list_signer_key_usage_invalid",
  );
  // The signer (2025-01-01..2030-01-01) is expired in 2031; the root (..2035) is not.
  const later = new Date("2031-01-01T00:00:00Z");
  assert.equal(checkMasterListSigner(signer, root, later, false)?.reason, "master_list_expired");
  assert.equal(checkMasterListSigner(signer, root, later, true), null);
  const rootExpired = new Date("2036-01-01T00:00:00Z");
  assert.equal(
    checkMasterListSigner(signer, root, rootExpired, false)?.reason,
    "master_list_root_expired",
  );
});

Deno.test("admission: a CA certificate chaining to a trusted anchor is added without --anchor", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const doc = await createConformanceDocument();
    const anchorSigner = await createSigner("ecdsa-p256-sha256", "conformance-csca");
    const nextKey = await createSigner("ecdsa-p256-sha256", "conformance-next-csca");
    const nextName = [["C", "UT"], ["O", "Kayle ID"], ["CN", "Kayle ID Next CSCA"]] as const;
    // A link certificate: the next CSCA key, certified by the current (trusted) CSCA.
    const link = await createCertificate({
      serial: 7n,
      issuer: CONFORMANCE_CSCA_NAME,
      subject: nextName,
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2036-01-01T00:00:00Z"),
      spki: nextKey.spki,
      issuerSpki: anchorSigner.spki,
      isCa: true,
    }, anchorSigner);
    const before = await importTrustFile(kv, link, { source: "link", now: NOW });
    assert.deepEqual(before.reasons, { anchor_not_confirmed: 1 }, JSON.stringify(before));
    const anchor = await importTrustFile(kv, doc.cscaCertificate, {
      source: "csca",
      anchor: true,
      now: NOW,
    });
    assert.equal(anchor.anchors.length, 1);
    assert.equal(
      anchor.anchors[0].fingerprintHex,
      await certificateFingerprint(doc.cscaCertificate),
    );
    const after = await importTrustFile(kv, link, { source: "link", now: NOW });
    assert.deepEqual([after.added, after.skipped], [1, 0]);
    assert.equal(after.anchors[0].subject, "C=UT,O=Kayle ID,CN=Kayle ID Next CSCA");
    // Pinning a self-signed certificate's fingerprint is the other way in.
    const selfSigned = await createConformanceDocument({
      csca: { notAfter: new Date("2034-01-01") },
    });
    const pinned = await importTrustFile(kv, selfSigned.cscaCertificate, {
      source: "pinned",
      now: NOW,
      pins: new Set([await certificateFingerprint(selfSigned.cscaCertificate)]),
    });
    assert.equal(pinned.added, 1);
    assert.equal((await listTrustItems(kv, "csca")).length, 3);
  } finally {
    kv.close();
  }
});

Deno.test("admission: a CRL is stored only when a trusted CSCA holding cRLSign signed it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const weak = await createConformanceDocument({
      csca: { keyUsage: ["keyCertSign"] },
      crl: { revokeDsc: false },
    });
    const untrusted = await importTrustFile(kv, weak.crl!, { source: "crl", now: NOW });
    assert.deepEqual(untrusted.reasons, { crl_issuer_untrusted: 1 });
    await importTrustFile(kv, weak.cscaCertificate, { source: "csca", anchor: true, now: NOW });
    const refused = await importTrustFile(kv, weak.crl!, { source: "crl", now: NOW });
    assert.deepEqual(refused.reasons, { crl_signer_lacks_crl_sign: 1 });
    assert.equal((await listTrustItems(kv, "crl")).length, 0);
    const good = await createConformanceDocument({ crl: { revokeDsc: false } });
    await importTrustFile(kv, good.cscaCertificate, { source: "csca", anchor: true, now: NOW });
    const accepted = await importTrustFile(kv, good.crl!, { source: "crl", now: NOW });
    assert.deepEqual([accepted.format, accepted.added], ["der_crl", 1]);
    assert.equal((await listTrustItems(kv, "crl")).length, 1);
  } finally {
    kv.close();
  }
});

Deno.test("import: a DER certificate whose bytes hold a line starting like LDIF is still DER", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const signer = await createSigner("ecdsa-p256-sha256", "conformance-csca");
    const name = [["C", "UT"], ["CN", "Line\n# not LDIF\ndn: nor this"]] as const;
    const der = await createCertificate({
      serial: 3n,
      issuer: name,
      subject: name,
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2036-01-01T00:00:00Z"),
      spki: signer.spki,
      issuerSpki: signer.spki,
      isCa: true,
    }, signer);
    const summary = await importTrustFile(kv, der, { source: "der", anchor: true, now: NOW });
    assert.deepEqual([summary.format, summary.added], ["der_certificate", 1]);
  } finally {
    kv.close();
  }
});

Deno.test("import: inside one file, a link certificate listed before its pinned CSCA still chains", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const doc = await createConformanceDocument();
    const anchorSigner = await createSigner("ecdsa-p256-sha256", "conformance-csca");
    const nextKey = await createSigner("ecdsa-p256-sha256", "conformance-next-csca");
    const link = await createCertificate({
      serial: 8n,
      issuer: CONFORMANCE_CSCA_NAME,
      subject: [["C", "UT"], ["CN", "Kayle ID Next CSCA"]],
      notBefore: new Date("2026-01-01T00:00:00Z"),
      notAfter: new Date("2036-01-01T00:00:00Z"),
      spki: nextKey.spki,
      issuerSpki: anchorSigner.spki,
      isCa: true,
    }, anchorSigner);
    const pem = [link, doc.cscaCertificate].map((der) =>
      `-----BEGIN CERTIFICATE-----\n${
        btoa(String.fromCharCode(...der))
      }\n-----END CERTIFICATE-----\n`
    ).join("");
    const summary = await importTrustFile(kv, new TextEncoder().encode(pem), {
      source: "pem",
      now: NOW,
      pins: new Set([await certificateFingerprint(doc.cscaCertificate)]),
    });
    assert.deepEqual([summary.added, summary.skipped], [2, 0], JSON.stringify(summary.reasons));
    assert.deepEqual(summary.anchors.map((a) => a.subject), [
      "C=UT,O=Kayle ID,CN=Kayle ID Conformance CSCA",
      "C=UT,CN=Kayle ID Next CSCA",
    ]);
  } finally {
    kv.close();
  }
});
