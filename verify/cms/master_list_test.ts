import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  certificateFingerprint,
  derContext,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  parseCertificate,
} from "../asn1/mod.ts";
import { readVector, readVectorJson } from "../vectors_test_support.ts";
import { MasterListError, OID_CSCA_MASTER_LIST, parseMasterList, verifyMasterList } from "./mod.ts";

const DE = "masterlists/DE_ML_2026-05-28-08-28-45.ml";
const NL = "masterlists/NL_ML_2026-07-22.ml";

Deno.test({
  name: "master lists: DE and NL signatures verify, signers chain to their roots, counts as stated",
  async fn() {
    const expected = readVectorJson<Record<string, { csca_count: number }>>(
      "masterlists/expected.json",
    );
    const deRoot = parseCertificate(readVector("masterlists/DE_ROOT_CA_CSCA07.der"));
    const nlRoot = parseCertificate(readVector("masterlists/NL_ROOT_CA.der"));
    for (
      const [file, root, other, signerCn] of [
        [DE, deRoot, nlRoot, "CSCA Master List Signer"],
        [NL, nlRoot, deRoot, "Masterlist Signer NL"],
      ] as const
    ) {
      const ml = parseMasterList(readVector(file));
      assert.equal(ml.certificates.length, expected[file.split("/")[1]].csca_count, file);
      const verified = await verifyMasterList(ml, [root]);
      assert.ok(verified.ok, file);
      assert.ok(verified.signer.subject.text.includes(signerCn), file);
      const wrongRoot = await verifyMasterList(ml, [other]);
      assert.equal(wrongRoot.ok ? "ok" : wrongRoot.reason, "master_list_signer_untrusted", file);
    }
  },
});

Deno.test({
  name: "master lists: the DE list is identified by SKI and holds every gmrtd-real CSCA",
  async fn() {
    const ml = parseMasterList(readVector(DE));
    assert.equal(ml.signerInfo.sid.kind, "subjectKeyIdentifier");
    assert.equal(ml.signerInfo.version, 3);
    const fingerprints = new Set(await Promise.all(ml.certificates.map(certificateFingerprint)));
    for (
      const cc of ["AT", "AU", "CN", "DE", "FI", "FR", "MY", "NZ", "PH", "RU", "SG", "UK", "US"]
    ) {
      assert.ok(
        fingerprints.has(await certificateFingerprint(readVector(`gmrtd-real/${cc}/CSCA.der`))),
        cc,
      );
    }
  },
});

Deno.test({
  name: "master lists: a changed certificate breaks the messageDigest, so the list is rejected",
  async fn() {
    const bytes = readVector(NL).slice();
    bytes[Math.floor(bytes.length / 2)] ^= 1;
    let outcome: string;
    try {
      const ml = parseMasterList(bytes);
      const result = await verifyMasterList(ml, [
        parseCertificate(readVector("masterlists/NL_ROOT_CA.der")),
      ]);
      outcome = result.ok ? "ok" : result.reason;
    } catch (error) {
      outcome = error instanceof MasterListError ? error.code : "other";
    }
    assert.ok(
      ["master_list_signature_invalid", "master_list_malformed"].includes(outcome),
      outcome,
    );
  },
});

/** A small unsigned master list around real certificates: cheap to parse 10,000 times. */
function smallMasterList(certs: Uint8Array[]): Uint8Array {
  const content = derSequence(derInteger(0), derSet(...certs));
  const signerInfo = derSequence(
    derInteger(3),
    derContext(0, new Uint8Array(20), false),
    derSequence(derOid("2.16.840.1.101.3.4.2.1")),
    derSequence(derOid("1.2.840.113549.1.1.11")),
    derOctetString(new Uint8Array(8)),
  );
  const signedData = derSequence(
    derInteger(3),
    derSet(derSequence(derOid("2.16.840.1.101.3.4.2.1"))),
    derSequence(derOid(OID_CSCA_MASTER_LIST), derContext(0, derOctetString(content))),
    derSet(signerInfo),
  );
  return derSequence(derOid("1.2.840.113549.1.7.2"), derContext(0, signedData));
}

Deno.test({
  name: "master list property: 10,000 random and mutated lists only fail with MasterListError",
  fn() {
    const seed = smallMasterList(
      ["gmrtd-real/UK/CSCA.der", "gmrtd-real/AT/CSCA.der"].map(readVector),
    );
    assert.equal(parseMasterList(seed).certificates.length, 2);
    const mutated = fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(40))
      .map(([i, v, cut]) => {
        const copy = seed.slice(0, seed.length - cut);
        copy[i % copy.length] = v;
        return copy;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (input) => {
        try {
          parseMasterList(input);
        } catch (error) {
          if (!(error instanceof MasterListError)) throw error;
        }
      }),
      { numRuns: 10_000 },
    );
  },
});
