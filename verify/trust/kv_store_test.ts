import assert from "node:assert/strict";
import { certificateFingerprint, parseCertificate } from "../asn1/mod.ts";
import { parseMasterList } from "../cms/mod.ts";
import { readVector } from "../vectors_test_support.ts";
import {
  createKvTrustSource,
  importMasterList,
  importTrustFile,
  listTrustItems,
  PINNED_ROOT_FINGERPRINTS,
  pinnedRootFingerprints,
} from "./mod.ts";

const DE_ML = "masterlists/DE_ML_2026-05-28-08-28-45.ml";
const DE_ROOT = "masterlists/DE_ROOT_CA_CSCA07.der";
const NOW = new Date("2026-06-01T00:00:00Z");

function expiredIn(file: string, at: Date): number {
  const list = parseMasterList(readVector(file));
  return list.certificates.map(parseCertificate).filter((c) => c.notAfter < at).length;
}

Deno.test({
  name: "pinned roots: the built-in pins are the DE and NL master-list roots; env pins extend them",
  async fn() {
    const pins = Object.keys(PINNED_ROOT_FINGERPRINTS);
    assert.ok(pins.includes(await certificateFingerprint(readVector(DE_ROOT))));
    assert.ok(
      pins.includes(await certificateFingerprint(readVector("masterlists/NL_ROOT_CA.der"))),
    );
    const extra = "AB".repeat(32).replace(/(..)(?!$)/g, "$1:");
    const withEnv = pinnedRootFingerprints(`${extra}, not-a-pin`);
    assert.equal(withEnv.size, 3);
    assert.ok(withEnv.has("ab".repeat(32)));
  },
});

Deno.test({
  name:
    "KV import: the DE master list imports 588 CSCAs once; a second import finds only duplicates",
  async fn() {
    const kv = await Deno.openKv(":memory:");
    try {
      const options = { source: "test", roots: [readVector(DE_ROOT)], now: NOW };
      const first = await importTrustFile(kv, readVector(DE_ML), options);
      assert.equal(first.format, "master_list");
      // Certificates already expired at import time are counted, never stored.
      const expired = expiredIn(DE_ML, NOW);
      assert.deepEqual(
        [first.added, first.alreadyPresent, first.expired, first.skipped],
        [588 - expired, 0, expired, 0],
      );
      assert.equal(Object.values(first.byCountry).reduce((n, c) => n + c.added, 0), 588 - expired);
      assert.ok(first.byCountry.DE.added > 0);
      assert.equal(first.anchors.length, 588 - expired);
      assert.match(first.anchors[0].fingerprintHex, /^[0-9a-f]{64}$/);
      const second = await importMasterList(kv, readVector(DE_ML), options);
      assert.deepEqual(
        [second.added, second.alreadyPresent, second.expired, second.skipped],
        [0, 588 - expired, expired, 0],
      );
      assert.equal((await listTrustItems(kv, "csca")).length, 588 - expired);
      const trust = createKvTrustSource(kv);
      const uk = parseCertificate(readVector("gmrtd-real/UK/CSCA.der"));
      const bySki = await trust.findCscas({ skiHex: uk.skiHex });
      assert.ok(bySki.some((t) => t.certificate.subject.key === uk.subject.key));
      const byName = await trust.findCscas({ issuerName: uk.subject.key });
      assert.ok(
        byName.length >= 1 && byName.every((t) => t.certificate.subject.key === uk.subject.key),
      );
      const byCountry = await trust.findCscas({ country: "GB" });
      assert.equal(byCountry.length, first.byCountry.GB.added);
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name:
    "KV import: CSCAs expired at import time are counted, not stored; an expired master list is refused unless overridden",
  async fn() {
    const kv = await Deno.openKv(":memory:");
    try {
      const roots = [readVector(DE_ROOT)];
      const late = new Date("2028-06-01T00:00:00Z");
      const summary = await importMasterList(kv, readVector(DE_ML), {
        source: "t",
        roots,
        now: late,
      });
      const expired = expiredIn(DE_ML, late);
      assert.ok(expired > 0 && expired < 588);
      assert.deepEqual([summary.added, summary.expired], [588 - expired, expired]);
      assert.equal((await listTrustItems(kv, "csca")).length, 588 - expired);
      // The list's signer (2024-10-17..2028-10-17) has expired in 2029: refused, clearly.
      const after = new Date("2029-01-01T00:00:00Z");
      const refused = await importMasterList(kv, readVector(DE_ML), {
        source: "t",
        roots,
        now: after,
      });
      assert.deepEqual(refused.reasons, { master_list_expired: 1 });
      assert.match(refused.messages[0], /--allow-expired/);
      assert.match(refused.messages[0], /2024-10-17\.\.2028-10-17/);
      const overridden = await importMasterList(kv, readVector(DE_ML), {
        source: "t",
        roots,
        now: after,
        allowExpired: true,
      });
      assert.deepEqual(overridden.reasons, {});
      assert.equal(overridden.added + overridden.alreadyPresent + overridden.expired, 588);
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name:
    "KV import: a master list is refused without a root, with an unpinned root, or with the wrong pinned root",
  async fn() {
    const kv = await Deno.openKv(":memory:");
    try {
      const bytes = readVector(DE_ML);
      const none = await importMasterList(kv, bytes, { source: "t" });
      assert.deepEqual(none.reasons, { master_list_root_missing: 1 });
      const unpinned = await importMasterList(kv, bytes, {
        source: "t",
        roots: [readVector("gmrtd-real/UK/CSCA.der")],
      });
      assert.deepEqual(unpinned.reasons, { root_not_pinned: 1 });
      const wrong = await importMasterList(kv, bytes, {
        source: "t",
        roots: [readVector("masterlists/NL_ROOT_CA.der")],
      });
      assert.deepEqual(wrong.reasons, { master_list_signer_untrusted: 1 });
      // Pinning the DE root through configuration is what makes it usable: without the pin, no.
      const unpinnedDe = await importMasterList(kv, bytes, {
        source: "t",
        roots: [readVector(DE_ROOT)],
        pins: new Set(),
      });
      assert.deepEqual(unpinnedDe.reasons, { root_not_pinned: 1 });
      assert.equal((await listTrustItems(kv, "csca")).length, 0);
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name:
    "KV import: PEM and DER files; CA certificates become CSCAs, others DSCs; CRLs indexed by issuer",
  async fn() {
    const kv = await Deno.openKv(":memory:");
    try {
      const pem = (label: string, der: Uint8Array) =>
        `-----BEGIN ${label}-----\n${
          btoa(String.fromCharCode(...der)).replace(/(.{64})/g, "$1\n")
        }\n-----END ${label}-----\n`;
      const text = pem("CERTIFICATE", readVector("gmrtd-real/UK/CSCA.der")) +
        pem("CERTIFICATE", readVector("gmrtd-real/UK/DSC.der")) +
        pem("X509 CRL", readVector("csca-misc-zeropass/crl/crl_gb_fp_85824ab57b.crl"));
      const bytes = new TextEncoder().encode(text);
      // Without --anchor the self-signed UK CSCA chains to nothing trusted: not an anchor, and
      // the CRL it signed has no trusted issuer. The DSC is stored (it must still chain later).
      const unconfirmed = await importTrustFile(kv, bytes, { source: "pem", now: NOW });
      assert.equal(unconfirmed.format, "pem");
      assert.deepEqual([unconfirmed.added, unconfirmed.skipped], [1, 2]);
      assert.deepEqual(unconfirmed.reasons, { anchor_not_confirmed: 1, crl_issuer_untrusted: 1 });
      assert.ok(unconfirmed.messages.some((m) => m.includes("--anchor")));
      assert.equal((await listTrustItems(kv, "csca")).length, 0);
      const summary = await importTrustFile(kv, bytes, { source: "pem", anchor: true, now: NOW });
      assert.deepEqual([summary.added, summary.alreadyPresent, summary.skipped], [2, 1, 0]);
      assert.deepEqual(summary.anchors.map((a) => [a.country, a.subject]), [[
        "GB",
        "C=GB,O=UKKPA,CN=Country Signing Authority",
      ]]);
      assert.equal(
        summary.anchors[0].fingerprintHex,
        await certificateFingerprint(readVector("gmrtd-real/UK/CSCA.der")),
      );
      assert.equal((await listTrustItems(kv, "csca")).length, 1);
      assert.equal((await listTrustItems(kv, "dsc")).length, 1);
      const der = await importTrustFile(kv, readVector("gmrtd-real/UK/CSCA.der"), {
        source: "der",
      });
      assert.deepEqual([der.format, der.alreadyPresent], ["der_certificate", 1]);
      const trust = createKvTrustSource(kv);
      const csca = parseCertificate(readVector("gmrtd-real/UK/CSCA.der"));
      assert.equal((await trust.findCrls({ issuerName: csca.subject.key })).length, 1);
      const dsc = parseCertificate(readVector("gmrtd-real/UK/DSC.der"));
      const found = await trust.findDscs!({ issuerName: dsc.issuer.key, serialHex: dsc.serialHex });
      assert.equal(found.length, 1);
      const junk = await importTrustFile(kv, new Uint8Array([1, 2, 3]), { source: "junk" });
      assert.deepEqual(junk.reasons, { unrecognised_format: 1 });
      // Comment-like lines make no LDIF: a Markdown file is refused with a sentence, not skipped.
      const markdown = new TextEncoder().encode("# Kayle ID\n\nA README, not a trust file.\n");
      const readme = await importTrustFile(kv, markdown, { source: "README.md" });
      assert.deepEqual([readme.format, readme.reasons], ["unknown", { unrecognised_format: 1 }]);
      assert.match(readme.messages[0], /^unrecognised_format: the file is none of/);
      // A broken LDIF says what and where.
      const broken = new TextEncoder().encode("version: 1\ndn: cn=a\nnocolon\n");
      const ldif = await importTrustFile(kv, broken, { source: "broken.ldif" });
      assert.deepEqual(ldif.reasons, { ldif_malformed: 1 });
      assert.match(ldif.messages[0], /^ldif_malformed: .*\(line 3: no attribute name\)$/);
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name: "KV source: lookups are cached for the TTL (injected clock) and clearCache drops them",
  async fn() {
    const kv = await Deno.openKv(":memory:");
    try {
      let clock = 0;
      const trust = createKvTrustSource(kv, { cacheTtlMs: 1000, now: () => clock });
      assert.equal((await trust.findCscas({ country: "GB" })).length, 0);
      await importTrustFile(kv, readVector("gmrtd-real/UK/CSCA.der"), {
        source: "der",
        anchor: true,
      });
      assert.equal((await trust.findCscas({ country: "GB" })).length, 0, "cached answer");
      clock = 1500;
      assert.equal((await trust.findCscas({ country: "GB" })).length, 1, "expired answer");
      await importTrustFile(kv, readVector("csca-misc-zeropass/crl/crl_gb_fp_85824ab57b.crl"), {
        source: "crl",
      });
      const uk = parseCertificate(readVector("gmrtd-real/UK/CSCA.der"));
      assert.equal((await trust.findCrls({ issuerName: uk.subject.key })).length, 1);
      const uncached = createKvTrustSource(kv, { cacheTtlMs: 0 });
      assert.equal((await uncached.findCscas({ skiHex: uk.skiHex })).length, 1);
      trust.clearCache();
      assert.equal((await trust.findCscas({ skiHex: uk.skiHex })).length, 1);
    } finally {
      kv.close();
    }
  },
});
