import assert from "node:assert/strict";
import { bytesEqual, certificateFingerprint, parseCertificate, toHex } from "../asn1/mod.ts";
import { readVector, readVectorJson } from "../vectors_test_support.ts";
import {
  createKvTrustSource,
  createMemoryTrustSource,
  EMPTY_TRUST_SOURCE,
  importMasterList,
} from "../trust/mod.ts";
import {
  checkDataGroups,
  findIssuingCsca,
  parseSod,
  passiveAuthenticate,
  type PassiveAuthResult,
} from "./mod.ts";

const COUNTRIES = ["AT", "AU", "CN", "DE", "FI", "FR", "MY", "NZ", "PH", "RU", "SG", "UK", "US"];

interface Expected {
  data_group_files: Record<
    string,
    { dg: number; in_sod: boolean; hash_matches_sod: boolean | null }
  >;
  dsc: { not_before: string; not_after: string; sha256_fingerprint: string };
  csca?: { sha256_fingerprint: string; expected: Record<string, boolean> };
}

function dataGroupsOf(
  folder: string,
  expected: Expected,
  onlyCovered = true,
): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const [file, info] of Object.entries(expected.data_group_files ?? {})) {
    if (onlyCovered && !info.in_sod) continue;
    out.set(info.dg, readVector(`${folder}/${file}`));
  }
  return out;
}

function assertOk(
  result: PassiveAuthResult,
  label: string,
): asserts result is Extract<PassiveAuthResult, { ok: true }> {
  assert.ok(result.ok, `${label}: ${result.ok ? "" : `${result.reason} ${result.detail}`}`);
}

/** The DE master list imported once into an in-memory KV, verified against its pinned root. */
async function germanTrustStore() {
  const kv = await Deno.openKv(":memory:");
  const summary = await importMasterList(
    kv,
    readVector("masterlists/DE_ML_2026-05-28-08-28-45.ml"),
    {
      source: "test:DE_ML",
      roots: [readVector("masterlists/DE_ROOT_CA_CSCA07.der")],
      now: new Date("2026-06-01T00:00:00Z"),
    },
  );
  // 588 CSCAs: those already expired at import time are counted, not stored.
  assert.equal(summary.added + summary.expired, 588);
  return { kv, trust: createKvTrustSource(kv) };
}

Deno.test({
  name: "gmrtd-real: all 13 SODs pass passive authentication against the verified DE master list",
  async fn() {
    const { kv, trust } = await germanTrustStore();
    try {
      for (const cc of COUNTRIES) {
        const folder = `gmrtd-real/${cc}`;
        const expected = readVectorJson<Expected>(`${folder}/expected.json`);
        const dataGroups = dataGroupsOf(folder, expected);
        const at = new Date(Date.parse(expected.dsc.not_before) + 86_400_000);
        const result = await passiveAuthenticate({
          sod: readVector(`${folder}/EF_SOD.bin`),
          dataGroups,
          trust,
          at,
          requiredDataGroups: [],
        });
        assertOk(result, cc);
        // The embedded DSC is byte-identical to DSC.der; the anchor holds CSCA.der's key.
        assert.ok(bytesEqual(result.dsc.der, readVector(`${folder}/DSC.der`)), `${cc} DSC`);
        const csca = parseCertificate(readVector(`${folder}/CSCA.der`));
        assert.ok(bytesEqual(result.csca.certificate.spki, csca.spki), `${cc} CSCA key`);
        // CSCA.der itself is in the verified list (a link certificate with the same key may be
        // the one chosen, as for DE).
        const sameKey = await trust.findCscas({ skiHex: result.csca.certificate.skiHex });
        const fingerprints = sameKey.map((t) => t.fingerprintHex);
        assert.ok(
          fingerprints.includes(await certificateFingerprint(csca.der)),
          `${cc} CSCA in list`,
        );
        assert.equal(
          expected.csca?.expected["csca_in_masterlists/DE_ML_2026-05-28-08-28-45.ml"],
          true,
        );
        assert.equal(result.dsc.serialHex.length > 0, true);
        assert.deepEqual(
          [...result.dataGroupHashes.keys()].sort(),
          [...dataGroups.keys()].sort(),
          `${cc} DGs`,
        );
        assert.equal(result.revocation, "revocation_unknown");
      }
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name: "gmrtd-real: without the CSCA in the trust store the chain stops at csca_not_found",
  async fn() {
    const result = await passiveAuthenticate({
      sod: readVector("gmrtd-real/UK/EF_SOD.bin"),
      dataGroups: new Map(),
      trust: EMPTY_TRUST_SOURCE,
      at: new Date("2020-01-01"),
      requiredDataGroups: [],
    });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, "csca_not_found");
  },
});

Deno.test({
  name: "gmrtd-real: a CSCA of another country is not an anchor for this DSC",
  async fn() {
    const trust = await createMemoryTrustSource({ cscas: [readVector("gmrtd-real/US/CSCA.der")] });
    const result = await passiveAuthenticate({
      sod: readVector("gmrtd-real/UK/EF_SOD.bin"),
      dataGroups: new Map(),
      trust,
      at: new Date("2020-01-01"),
      requiredDataGroups: [],
    });
    assert.equal(!result.ok && result.reason, "csca_not_found");
  },
});

async function etsiTrust() {
  return await createMemoryTrustSource({ cscas: [readVector("etsi-eacaa/CSCA.der")] });
}

function etsiDataGroups(): Map<number, Uint8Array> {
  return dataGroupsOf("etsi-eacaa", readVectorJson<Expected>("etsi-eacaa/expected.json"));
}

Deno.test({
  name: "etsi-eacaa: full passive authentication succeeds at 2012-01-01 with DG1 and DG2 required",
  async fn() {
    const result = await passiveAuthenticate({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: etsiDataGroups(),
      trust: await etsiTrust(),
      at: new Date("2012-01-01T00:00:00Z"),
    });
    assertOk(result, "etsi");
    assert.deepEqual([...result.dataGroupHashes.keys()], [1, 2, 3, 4, 14, 15]);
    assert.equal(result.signingTime, undefined);
    assert.deepEqual(result.warnings, []);
  },
});

Deno.test({
  name: "etsi-eacaa: at today's date it fails only on expiry",
  async fn() {
    const result = await passiveAuthenticate({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: etsiDataGroups(),
      trust: await etsiTrust(),
      at: new Date(),
    });
    assert.equal(!result.ok && result.reason, "dsc_expired");
    const before = await passiveAuthenticate({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: etsiDataGroups(),
      trust: await etsiTrust(),
      at: new Date("2011-01-01"),
    });
    assert.equal(!before.ok && before.reason, "dsc_not_yet_valid");
  },
});

Deno.test({
  name: "etsi-eacaa negatives: each is rejected for its stated reason",
  async fn() {
    const trust = await etsiTrust();
    const at = new Date("2012-01-01");
    const cases: Array<[string, Map<number, Uint8Array>, string]> = [
      ["negative/sod_dg1hash_modified.bin", etsiDataGroups(), "message_digest_mismatch"],
      ["negative/sod_dg14hash_modified.bin", etsiDataGroups(), "message_digest_mismatch"],
      ["negative/sod_signature_lastbyte_modified.bin", etsiDataGroups(), "signature_invalid"],
    ];
    const dg1 = etsiDataGroups();
    dg1.set(1, readVector("etsi-eacaa/negative/DG1_country_modified.bin"));
    const dg15 = etsiDataGroups();
    dg15.set(15, readVector("etsi-eacaa/negative/DG15_exponent_modified.bin"));
    cases.push(["EF_SOD.bin", dg1, "dg_hash_mismatch"], ["EF_SOD.bin", dg15, "dg_hash_mismatch"]);
    for (const [file, dataGroups, reason] of cases) {
      const result = await passiveAuthenticate({
        sod: readVector(`etsi-eacaa/${file}`),
        dataGroups,
        trust,
        at,
      });
      assert.equal(result.ok ? "ok" : result.reason, reason, file);
    }
  },
});

Deno.test({
  name: "bsi-tr03105-5: valid signature but the CSCA is unpublished, so never valid",
  async fn() {
    const expected = readVectorJson<Expected>("bsi-tr03105-5/expected.json");
    const result = await passiveAuthenticate({
      sod: readVector("bsi-tr03105-5/EF_SOD.bin"),
      dataGroups: dataGroupsOf("bsi-tr03105-5", expected),
      trust: await etsiTrust(),
      at: new Date("2014-01-01"),
    });
    assert.equal(result.ok ? "ok" : result.reason, "csca_not_found");
    assert.equal(!result.ok && result.sod?.dataGroupHashes.has(15), false, "DG15 is not covered");
  },
});

Deno.test({
  name: "bsi-tr03105-5 negatives: each is rejected for its stated reason",
  async fn() {
    const reasons: Record<string, string> = {
      "sod_outer_contenttype_1.2.840.113549.1.8.2.bin": "sod_content_type_invalid",
      "sod_outer_contenttype_1.2.840.113549.1.7.4.bin": "sod_content_type_invalid",
      "sod_signeddata_version1.bin": "sod_version_invalid",
      "sod_signeddata_version2.bin": "sod_version_invalid",
      "sod_signeddata_version4.bin": "sod_version_invalid",
      "sod_econtenttype_1.2.840.113549.1.7.5.bin": "sod_econtent_type_invalid",
      "sod_econtenttype_id-data.bin": "signature_invalid",
      "sod_lds_version2.bin": "sod_lds_version_invalid",
      "sod_lds_version_minus1.bin": "sod_lds_version_invalid",
      "sod_trailing_byte.bin": "sod_trailing_bytes",
    };
    const listed = Object.keys(
      readVectorJson<{ files: Record<string, unknown> }>("bsi-tr03105-5/negative/expected.json")
        .files,
    );
    assert.deepEqual(listed.sort(), Object.keys(reasons).sort());
    const trust = await createMemoryTrustSource({ cscas: [] });
    for (const [file, reason] of Object.entries(reasons)) {
      const result = await passiveAuthenticate({
        sod: readVector(`bsi-tr03105-5/negative/${file}`),
        dataGroups: new Map(),
        trust,
        at: new Date("2014-01-01"),
        requiredDataGroups: [],
      });
      assert.equal(result.ok ? "ok" : result.reason, reason, file);
    }
  },
});

Deno.test({
  name: "si-passport-aa: CSCA → DSC → SOD → DG15 matches",
  async fn() {
    const expected = readVectorJson<Expected>("si-passport-aa/expected.json");
    const trust = await createMemoryTrustSource({ cscas: [readVector("si-passport-aa/CSCA.der")] });
    const at = new Date(Date.parse(expected.dsc.not_before) + 86_400_000);
    const result = await passiveAuthenticate({
      sod: readVector("si-passport-aa/EF_SOD.bin"),
      dataGroups: new Map([[15, readVector("si-passport-aa/DG15.bin")]]),
      trust,
      at,
      requiredDataGroups: [15],
    });
    assertOk(result, "SI");
    assert.equal(toHex(result.dataGroupHashes.get(15)!).length, 64);
  },
});

Deno.test({
  name:
    "bdr-test-2008: signature valid, DG1/2/3/14 match, uncovered DGs only warned, no trust anchor",
  async fn() {
    const expected = readVectorJson<Expected>("bdr-test-2008/expected.json");
    const all = dataGroupsOf("bdr-test-2008", expected, false);
    const dscTrust = await createMemoryTrustSource({
      cscas: [readVector("bdr-test-2008/DSC.der")],
    });
    // The SOD signature verifies, but this DSC carries no key usage extension (ICAO 9303-12
    // makes it mandatory, with digitalSignature): refused before any anchor is looked for.
    const result = await passiveAuthenticate({
      sod: readVector("bdr-test-2008/EF_SOD.bin"),
      dataGroups: all,
      trust: dscTrust,
      at: new Date("2008-06-01"),
    });
    assert.equal(result.ok ? "ok" : result.reason, "dsc_key_usage_invalid");
    // Trusting the DSC itself as anchor is wrong (it is not its own issuer): csca_not_found.
    const dsc = parseCertificate(readVector("bdr-test-2008/DSC.der"));
    const chain = await findIssuingCsca(dsc, dscTrust, new Date("2008-06-01"));
    assert.equal(chain.ok ? "ok" : chain.reason, "csca_not_found");
    const groups = await checkDataGroups(parseSod(readVector("bdr-test-2008/EF_SOD.bin")), all, [
      1,
      2,
    ]);
    assert.ok(groups.ok);
    assert.deepEqual([...groups.verified.keys()], [1, 2, 3, 14]);
    assert.deepEqual(groups.warnings, [
      "dg_not_covered:DG4",
      "dg_not_covered:DG5",
      "dg_not_covered:DG7",
      "dg_not_covered:DG11",
      "dg_not_covered:DG12",
      "dg_not_covered:DG15",
    ]);
  },
});
