import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { readVector } from "../vectors_test_support.ts";
import { extractTrustObjects, importLdif, LdifError, listTrustItems, parseLdif } from "./mod.ts";

/** Base64 folded the way PKD LDIF files are (76 columns, continuation lines start with a space). */
function folded(name: string, bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const line = `${name}:: ${btoa(binary)}`;
  const parts = [line.slice(0, 76)];
  for (let i = 76; i < line.length; i += 75) parts.push(" " + line.slice(i, i + 75));
  return parts.join("\n");
}

/** An ICAO-PKD-shaped LDIF: a CSCA, a DSC, a CRL and (optionally) a master list. */
function pkdFixture(withMasterList: boolean): string {
  const entries = [
    "version: 1",
    "",
    "# CSCA entry",
    "dn: cn=CN\\=Country Signing Authority+sn=1,o=csca,c=GB,dc=data,dc=download,dc=pkd,dc=icao,dc=int",
    "objectClass: top",
    "objectClass: pkdDownload",
    folded("userCertificate;binary", readVector("gmrtd-real/UK/CSCA.der")),
    "",
    "dn: cn=DS,o=dsc,c=GB,dc=data,dc=download,dc=pkd,dc=icao,dc=int",
    "sn: 1",
    folded("userCertificate;binary", readVector("gmrtd-real/UK/DSC.der")),
    "",
    "dn: cn=crl,o=crl,c=GB,dc=data,dc=download,dc=pkd,dc=icao,dc=int",
    folded(
      "certificateRevocationList;binary",
      readVector("csca-misc-zeropass/crl/crl_gb_fp_85824ab57b.crl"),
    ),
    "",
  ];
  if (withMasterList) {
    entries.push(
      "dn: cn=ml,o=ml,c=NL,dc=data,dc=download,dc=pkd,dc=icao,dc=int",
      folded("CscaMasterListData", readVector("masterlists/NL_ML_2026-07-22.ml")),
      "",
    );
  }
  return entries.join("\r\n");
}

Deno.test({
  name: "LDIF: folded base64 attributes, comments and CRLF are read; PKD objects are extracted",
  fn() {
    const entries = parseLdif(pkdFixture(false));
    assert.equal(entries.length, 3);
    assert.ok(entries[0].dn.startsWith("cn=CN\\=Country"));
    assert.deepEqual(entries[0].attributes.get("objectclass"), ["top", "pkdDownload"]);
    const objects = extractTrustObjects(entries);
    assert.deepEqual(objects.certificates[0], readVector("gmrtd-real/UK/CSCA.der"));
    assert.equal(objects.certificates.length, 2);
    assert.equal(objects.crls.length, 1);
    assert.equal(objects.masterLists.length, 0);
  },
});

Deno.test("LDIF: malformed files fail with distinct LdifError codes", () => {
  const code = (text: string) => {
    try {
      parseLdif(text);
      return "ok";
    } catch (error) {
      return error instanceof LdifError ? error.code : "other";
    }
  };
  assert.equal(code("dn: a\nuserCertificate;binary:: @@@@\n"), "ldif_bad_base64");
  assert.equal(code("objectClass: top\n"), "ldif_malformed");
  assert.equal(code(" continued\n"), "ldif_malformed");
  assert.equal(code("dn: a\nnocolon\n"), "ldif_malformed");
  assert.equal(code("dn: a\nphoto:< file:///x\n"), "ldif_unsupported");
  assert.equal(code("version: 1\n\ndn: a\ncn: b\n"), "ok");
});

Deno.test({
  name:
    "LDIF import: CSCA, DSC, CRL and a master list (verified against the pinned NL root) land in KV",
  async fn() {
    const kv = await Deno.openKv(":memory:");
    try {
      const summary = await importLdif(kv, pkdFixture(true), {
        source: "ldif",
        roots: [readVector("masterlists/NL_ROOT_CA.der")],
        now: new Date("2026-08-01T00:00:00Z"),
      });
      assert.equal(summary.format, "ldif");
      assert.deepEqual(summary.reasons, {});
      // 411 list members first (they vouch for the UK CSCA, which the LDIF entry then finds
      // already present), then the DSC and the CRL signed by that now-trusted CSCA.
      const total = summary.added + summary.alreadyPresent + summary.expired;
      assert.equal(total, 3 + 411);
      assert.equal(summary.alreadyPresent, 1);
      assert.equal(summary.anchors.length, 411 - summary.expired);
      assert.equal((await listTrustItems(kv, "dsc")).length, 1);
      assert.equal((await listTrustItems(kv, "crl")).length, 1);
      const unverified = await importLdif(kv, pkdFixture(true), { source: "ldif" });
      assert.deepEqual(unverified.reasons, { master_list_root_missing: 1 });
    } finally {
      kv.close();
    }
  },
});

Deno.test({
  name: "LDIF property: 10,000 random and mutated files only fail with LdifError",
  fn() {
    const seed = pkdFixture(false).slice(0, 3000);
    const mutated = fc.tuple(
      fc.nat(seed.length - 1),
      fc.constantFrom(" ", ":", "\n", "\r\n", "=", "#", "é", "\u0000", "::"),
      fc.nat(200),
    )
      .map(([i, insert, cut]) => seed.slice(0, i) + insert + seed.slice(i + 1, seed.length - cut));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: "binary", maxLength: 200 }),
          mutated,
        ),
        (text) => {
          try {
            extractTrustObjects(parseLdif(text));
          } catch (error) {
            if (!(error instanceof LdifError)) throw error;
          }
        },
      ),
      { numRuns: 10_000 },
    );
  },
});
