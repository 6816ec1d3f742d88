import assert from "node:assert/strict";
import { certificateFingerprint, parseCertificate, parseCrl } from "../asn1/mod.ts";
import { parseMasterList } from "../cms/mod.ts";
import { describePublicKey, isSignedBy, parsePublicKeyInfo } from "../crypto/mod.ts";
import { readVector, readVectorJson } from "../vectors_test_support.ts";
import { createMemoryTrustSource } from "../trust/mod.ts";
import { checkRevocation, findIssuingCsca } from "./mod.ts";

const DIR = "csca-misc-zeropass";

interface ZeroPass {
  link_certificates: Array<
    { certificate: string; candidate_issuer: string; signature_valid: boolean }
  >;
  certificates: Record<
    string,
    {
      public_key: string;
      self_signature_valid: boolean;
      "in_DE_ML_2026-05-28": boolean;
      "in_NL_ML_2026-07-22": boolean;
    }
  >;
  crls: Record<string, { issuer_cert: string; signature_valid: boolean }>;
}

Deno.test({
  name: "csca-misc-zeropass: link certificates verify only under their stated issuer",
  async fn() {
    const facts = readVectorJson<ZeroPass>(`${DIR}/expected.json`);
    for (const link of facts.link_certificates) {
      const cert = parseCertificate(readVector(`${DIR}/${link.certificate}`));
      const issuer = parseCertificate(readVector(`${DIR}/${link.candidate_issuer}`));
      assert.equal(
        await isSignedBy(cert, issuer.spki),
        link.signature_valid,
        `${link.certificate} by ${link.candidate_issuer}`,
      );
    }
  },
});

Deno.test({
  name: "csca-misc-zeropass: keys, self-signatures and master-list membership are as stated",
  async fn() {
    const facts = readVectorJson<ZeroPass>(`${DIR}/expected.json`);
    const members = async (file: string) =>
      new Set(
        await Promise.all(
          parseMasterList(readVector(file)).certificates.map(certificateFingerprint),
        ),
      );
    const de = await members("masterlists/DE_ML_2026-05-28-08-28-45.ml");
    const nl = await members("masterlists/NL_ML_2026-07-22.ml");
    for (const [file, fact] of Object.entries(facts.certificates)) {
      const cert = parseCertificate(readVector(`${DIR}/${file}`));
      assert.equal(describePublicKey(parsePublicKeyInfo(cert.spki)), fact.public_key, file);
      assert.equal(await isSignedBy(cert, cert.spki), fact.self_signature_valid, file);
      const fp = await certificateFingerprint(cert.der);
      assert.equal(de.has(fp), fact["in_DE_ML_2026-05-28"], `${file} in DE`);
      assert.equal(nl.has(fp), fact["in_NL_ML_2026-07-22"], `${file} in NL`);
    }
  },
});

Deno.test({
  name:
    "csca-misc-zeropass: with two Italian CSCAs of one name, the chain picks the key that signed (AKI→SKI)",
  async fn() {
    const link = parseCertificate(readVector(`${DIR}/lcsca_it_419cc9e4468248c.der`));
    const signer = readVector(`${DIR}/csca_it_12f2438f96f2ec10.der`);
    const sameName = readVector(`${DIR}/csca_it_14e793ea55dcda2.der`);
    const trust = await createMemoryTrustSource({ cscas: [sameName, signer] });
    const chain = await findIssuingCsca(link, trust, new Date("2020-01-01"));
    assert.ok(chain.ok);
    assert.equal(chain.csca.fingerprintHex, await certificateFingerprint(signer));
    const onlyWrong = await findIssuingCsca(
      link,
      await createMemoryTrustSource({ cscas: [sameName] }),
      new Date("2020-01-01"),
    );
    assert.equal(onlyWrong.ok ? "ok" : onlyWrong.reason, "dsc_signature_invalid");
  },
});

Deno.test({
  name: "csca-misc-zeropass: the three CRLs verify under their CSCAs; freshness decides the status",
  async fn() {
    const facts = readVectorJson<ZeroPass>(`${DIR}/expected.json`);
    for (const [file, fact] of Object.entries(facts.crls)) {
      const crl = parseCrl(readVector(`${DIR}/${file}`));
      const issuer = parseCertificate(
        readVector(`${DIR}/${fact.issuer_cert}`.replace(`${DIR}/../`, "")),
      );
      assert.equal(await isSignedBy(crl, issuer.spki), fact.signature_valid, file);
      assert.equal(crl.issuer.key, issuer.subject.key, file);
    }
    // The UK DSC against the real UK CRL: fresh inside its window, unknown after it.
    const crlBytes = readVector(`${DIR}/crl/crl_gb_fp_85824ab57b.crl`);
    const crl = parseCrl(crlBytes);
    const csca = parseCertificate(readVector("gmrtd-real/UK/CSCA.der"));
    const dsc = parseCertificate(readVector("gmrtd-real/UK/DSC.der"));
    const trust = await createMemoryTrustSource({ cscas: [csca], crls: [crlBytes] });
    const inside = new Date((crl.thisUpdate.getTime() + crl.nextUpdate!.getTime()) / 2);
    const fresh = await checkRevocation(dsc, csca, trust, inside);
    assert.deepEqual(fresh, { revoked: false, status: "not_revoked", warnings: [] });
    const later = await checkRevocation(
      dsc,
      csca,
      trust,
      new Date(crl.nextUpdate!.getTime() + 1000),
    );
    assert.equal(!later.revoked && later.status, "revocation_unknown");
  },
});
