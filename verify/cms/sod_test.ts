import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { bytesEqual, children, readTlv, toHex } from "../asn1/mod.ts";
import { readVector, readVectorJson } from "../vectors_test_support.ts";
import {
  checkSignerInfo,
  parseSod,
  selectSignerCertificate,
  SodError,
  tryParseSod,
} from "./mod.ts";

interface SodFacts {
  sod: {
    signeddata_version: number;
    econtent_type: string;
    lds_security_object_version: number;
    lds_version_info: unknown;
    dg_hash_algorithm: string;
    dg_hashes: Record<string, string>;
    signer_info_version: number;
    signer_identifier: string;
    signature_algorithm_oid: string;
    pss_params: { hash: string; mgf1_hash: string; salt_length: number } | null;
    signed_attribute_oids: string[];
    embedded_certificates: number;
    expected: {
      messageDigest_equals_hash_of_eContent: boolean;
      signature_valid_with_embedded_DSC: boolean;
    };
  };
}

const SETS = [
  "bdr-test-2008",
  "bsi-tr03105-5",
  "etsi-eacaa",
  "si-passport-aa",
  ...["AT", "AU", "CN", "DE", "FI", "FR", "MY", "NZ", "PH", "RU", "SG", "UK", "US"].map((c) =>
    `gmrtd-real/${c}`
  ),
];

Deno.test({
  name: "EF.SOD: every vector SOD parses to the stated structure, messageDigest and signature",
  async fn() {
    for (const set of SETS) {
      const facts = readVectorJson<SodFacts>(`${set}/expected.json`).sod;
      const sod = parseSod(readVector(`${set}/EF_SOD.bin`));
      assert.equal(sod.signedData.version, facts.signeddata_version, set);
      assert.equal(sod.eContentType, facts.econtent_type.split(" ")[0], set);
      assert.equal(sod.ldsVersion, facts.lds_security_object_version, set);
      assert.equal(sod.ldsVersionInfo !== undefined, facts.lds_version_info !== null, set);
      assert.equal(sod.hashAlgorithm, facts.dg_hash_algorithm, set);
      const hashes = Object.fromEntries(
        [...sod.dataGroupHashes].map(([dg, h]) => [String(dg), toHex(h)]),
      );
      assert.deepEqual(hashes, facts.dg_hashes, set);
      assert.equal(sod.signerInfo.version, facts.signer_info_version, set);
      assert.equal(
        sod.signerInfo.sid.kind === "issuerAndSerial" ? "issuerAndSerial" : "subjectKeyIdentifier",
        facts.signer_identifier,
        set,
      );
      assert.equal(sod.signerInfo.signatureAlgorithm.oid, facts.signature_algorithm_oid, set);
      assert.deepEqual(
        [...sod.signerInfo.signedAttributes.keys()],
        facts.signed_attribute_oids,
        set,
      );
      assert.equal(sod.certificates.length, facts.embedded_certificates, set);
      const signer = selectSignerCertificate(sod.signerInfo, sod.certificates);
      assert.equal(signer?.match, "issuer_and_serial", `${set}: signer found by normalised name`);
      assert.ok(bytesEqual(signer!.certificate.der, readVector(`${set}/DSC.der`)), set);
      const check = await checkSignerInfo(
        sod.signerInfo,
        sod.eContentType,
        sod.eContent,
        signer!.certificate.spki,
      );
      assert.equal(
        check.ok,
        facts.expected.signature_valid_with_embedded_DSC &&
          facts.expected.messageDigest_equals_hash_of_eContent,
        set,
      );
    }
  },
});

Deno.test({
  name:
    "EF.SOD: NZ uses BER indefinite lengths, CN uses id-data, MY's SignerInfo issuer RDN order differs",
  fn() {
    const contentInfo = children(readTlv(readVector("gmrtd-real/NZ/EF_SOD.bin")))[0];
    assert.equal(contentInfo.indefinite, true);
    assert.equal(
      parseSod(readVector("gmrtd-real/CN/EF_SOD.bin")).eContentType,
      "1.2.840.113549.1.7.1",
    );
    const my = parseSod(readVector("gmrtd-real/MY/EF_SOD.bin"));
    const sid = my.signerInfo.sid;
    assert.equal(sid.kind, "issuerAndSerial");
    if (sid.kind !== "issuerAndSerial") return;
    assert.notEqual(
      toHex(sid.issuer.raw),
      toHex(my.certificates[0].issuer.raw),
      "raw names differ",
    );
    assert.equal(sid.issuer.key, my.certificates[0].issuer.key, "normalised names agree");
  },
});

Deno.test({
  name: "EF.SOD negatives (BSI): structural rejections carry distinct codes",
  async fn() {
    const codes: Record<string, string | null> = {
      "sod_outer_contenttype_1.2.840.113549.1.8.2.bin": "sod_content_type_invalid",
      "sod_outer_contenttype_1.2.840.113549.1.7.4.bin": "sod_content_type_invalid",
      "sod_signeddata_version1.bin": "sod_version_invalid",
      "sod_signeddata_version2.bin": "sod_version_invalid",
      "sod_signeddata_version4.bin": "sod_version_invalid",
      "sod_econtenttype_1.2.840.113549.1.7.5.bin": "sod_econtent_type_invalid",
      "sod_econtenttype_id-data.bin": null,
      "sod_lds_version2.bin": "sod_lds_version_invalid",
      "sod_lds_version_minus1.bin": "sod_lds_version_invalid",
      "sod_trailing_byte.bin": "sod_trailing_bytes",
    };
    for (const [file, code] of Object.entries(codes)) {
      const result = tryParseSod(readVector(`bsi-tr03105-5/negative/${file}`));
      assert.equal(result.ok ? null : result.code, code, file);
      if (!result.ok) continue;
      // The lenient id-data SOD parses; its signature (over changed attributes) must fail.
      const signer = selectSignerCertificate(result.sod.signerInfo, result.sod.certificates)!;
      const check = await checkSignerInfo(
        result.sod.signerInfo,
        result.sod.eContentType,
        result.sod.eContent,
        signer.certificate.spki,
      );
      assert.equal(check.ok ? "ok" : check.reason, "signature_invalid", file);
    }
    assert.throws(
      () => parseSod(new Uint8Array([0x30, 0x00])),
      (e) => e instanceof SodError && e.code === "sod_wrapper_invalid",
    );
  },
});

Deno.test({
  name: "EF.SOD property: 10,000 random and mutated SODs only fail with SodError",
  fn() {
    const seeds = [
      "gmrtd-real/NZ/EF_SOD.bin",
      "gmrtd-real/UK/EF_SOD.bin",
      "bsi-tr03105-5/EF_SOD.bin",
    ].map(readVector);
    const mutated = fc.tuple(
      fc.nat(seeds.length - 1),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.nat(64),
    )
      .map(([s, edits, cut]) => {
        const copy = seeds[s].slice(0, seeds[s].length - cut);
        for (const [i, v] of edits) copy[i % copy.length] = v;
        return copy;
      });
    const wrapped = fc.uint8Array({ maxLength: 120 }).map((b) =>
      new Uint8Array([0x77, b.length, ...b])
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), wrapped, mutated), (input) => {
        try {
          parseSod(input);
        } catch (error) {
          if (!(error instanceof SodError)) throw error;
        }
      }),
      { numRuns: 10_000 },
    );
  },
});
