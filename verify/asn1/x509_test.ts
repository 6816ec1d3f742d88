import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { readVector, readVectorJson, vectorsDir } from "../vectors_test_support.ts";
import {
  Asn1Error,
  certificateFingerprint,
  isSelfIssued,
  parseCertificate,
  parseCrl,
} from "./mod.ts";

interface CertFacts {
  subject: string;
  issuer: string;
  serial_hex: string;
  not_before: string;
  not_after: string;
  sha256_fingerprint: string;
}

/** "CN=x,O=y" → sorted list of "k=v" so RDN order and separators do not matter. */
function attributeSet(text: string): string[] {
  return text.split(/,(?=[A-Za-z]+=)/).map((s) => s.trim()).sort();
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
  name:
    "x509: every DSC and CSCA of the vectors parses with the stated subject, issuer, serial, validity and fingerprint",
  async fn() {
    let checked = 0;
    for (const set of SETS) {
      const expected = readVectorJson<{ dsc: CertFacts; csca?: CertFacts }>(`${set}/expected.json`);
      for (
        const [file, facts] of [["DSC.der", expected.dsc], ["CSCA.der", expected.csca]] as const
      ) {
        if (!facts) continue;
        const cert = parseCertificate(readVector(`${set}/${file}`));
        const label = `${set}/${file}`;
        assert.deepEqual(attributeSet(cert.subject.text), attributeSet(facts.subject), label);
        assert.deepEqual(attributeSet(cert.issuer.text), attributeSet(facts.issuer), label);
        assert.equal(BigInt(`0x${cert.serialHex}`), BigInt(`0x${facts.serial_hex}`), label);
        assert.match(cert.serialHex, /^[0-9A-F]+$/);
        assert.equal(cert.notBefore.getTime(), Date.parse(facts.not_before), label);
        assert.equal(cert.notAfter.getTime(), Date.parse(facts.not_after), label);
        assert.equal(await certificateFingerprint(cert.der), facts.sha256_fingerprint, label);
        checked++;
      }
    }
    assert.ok(checked >= 30);
  },
});

Deno.test({
  name: "x509: link certificates are told apart from self-signed CSCAs by AKI/SKI",
  fn() {
    const link = parseCertificate(readVector("csca-misc-zeropass/lcsca_it_419cc9e4468248c.der"));
    const root = parseCertificate(readVector("csca-misc-zeropass/csca_it_12f2438f96f2ec10.der"));
    assert.equal(isSelfIssued(root), true);
    assert.equal(isSelfIssued(link), false);
    assert.equal(link.akiHex, root.skiHex);
    assert.equal(link.isCa, true);
    assert.equal(link.subject.key, root.subject.key, "both Italian CSCAs share one DN");
  },
});

Deno.test({
  name: "crl: the three CRLs parse with issuer, dates and revoked serials",
  fn() {
    const dir = `${vectorsDir()}/csca-misc-zeropass/crl`;
    for (const entry of Deno.readDirSync(dir)) {
      const crl = parseCrl(Deno.readFileSync(`${dir}/${entry.name}`));
      assert.ok(crl.issuer.country, entry.name);
      assert.ok(crl.nextUpdate && crl.nextUpdate > crl.thisUpdate, entry.name);
      for (const [serial, date] of crl.revoked) {
        assert.match(serial, /^[0-9A-F]+$/);
        assert.ok(date.getTime() > 0);
      }
    }
    const gb = parseCrl(readVector("csca-misc-zeropass/crl/crl_gb_fp_85824ab57b.crl"));
    assert.equal(gb.issuer.country, "GB");
  },
});

function mutations(seeds: Uint8Array[]) {
  return fc.tuple(fc.nat(seeds.length - 1), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(40))
    .map(([s, i, v, cut]) => {
      const copy = seeds[s].slice(0, seeds[s].length - cut);
      if (copy.length) copy[i % copy.length] = v;
      return copy;
    });
}

Deno.test({
  name: "x509 property: 10,000 random and mutated certificates and CRLs only fail with Asn1Error",
  fn() {
    const certs = [
      "gmrtd-real/AT/DSC.der",
      "gmrtd-real/MY/CSCA.der",
      "csca-misc-zeropass/lcsca_de_9d.der",
    ].map(readVector);
    const crls = [readVector("csca-misc-zeropass/crl/crl_gb_fp_85824ab57b.crl")];
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), mutations(certs), mutations(crls)),
        (input) => {
          for (const parse of [parseCertificate, parseCrl]) {
            try {
              parse(input);
            } catch (error) {
              if (!(error instanceof Asn1Error)) throw error;
            }
          }
        },
      ),
      { numRuns: 10_000 },
    );
  },
});
