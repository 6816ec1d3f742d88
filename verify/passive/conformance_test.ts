/**
 * The conformance table of passive authentication (issue 14, docs/document-checks.md): for each
 * rule, a factory document that breaks only that rule fails with its own reason, and its
 * compliant twin (the same document with the rule respected) passes.
 */
import assert from "node:assert/strict";
import {
  type ConformanceOptions,
  createConformanceDocument,
  MISMATCHED_SIGNATURE_ALGORITHM,
  otherSignerIdentifier,
  unknownExtension,
} from "../factory/conformance_test_support.ts";
import { createSyntheticPassport } from "../factory/synthetic_passport.ts";
import { createMemoryTrustSource } from "../trust/mod.ts";
import { passiveAuthenticate, type PassiveAuthFailure, type PassiveAuthResult } from "./mod.ts";

interface Rule {
  name: string;
  reason: PassiveAuthFailure;
  breaks: ConformanceOptions;
  /** The compliant twin; default the compliant document `{}`. */
  twin?: ConformanceOptions;
}

const D = (iso: string) => new Date(`${iso}T00:00:00Z`);

const RULES: Rule[] = [
  {
    name: "a DSC with an unknown critical extension",
    reason: "dsc_critical_extension_unknown",
    breaks: { dsc: { extraExtensions: [unknownExtension(true)] } },
    twin: { dsc: { extraExtensions: [unknownExtension(false)] } },
  },
  {
    name: "a CSCA with an unknown critical extension",
    reason: "csca_critical_extension_unknown",
    breaks: { csca: { extraExtensions: [unknownExtension(true)] } },
    twin: { csca: { extraExtensions: [unknownExtension(false)] } },
  },
  {
    name: "a DSC whose key usage lacks digitalSignature",
    reason: "dsc_key_usage_invalid",
    breaks: { dsc: { keyUsage: ["keyEncipherment"] } },
    twin: { dsc: { keyUsage: ["digitalSignature", "keyEncipherment"] } },
  },
  {
    name: "a DSC without a key usage extension",
    reason: "dsc_key_usage_invalid",
    breaks: { dsc: { keyUsage: null } },
  },
  {
    name: "a DSC that is a CA",
    reason: "dsc_is_ca",
    breaks: { dsc: { basicConstraintsCa: true } },
    twin: { dsc: { basicConstraintsCa: false } },
  },
  {
    name: "an issuer that is not a CA (no basicConstraints) though its key verifies",
    reason: "csca_not_ca",
    breaks: { csca: { basicConstraintsCa: null } },
  },
  {
    name: "an issuer with basicConstraints cA=FALSE",
    reason: "csca_not_ca",
    breaks: { csca: { basicConstraintsCa: false } },
  },
  {
    name: "an issuing CSCA without keyCertSign",
    reason: "csca_key_usage_invalid",
    breaks: { csca: { keyUsage: ["cRLSign", "digitalSignature"] } },
    twin: { csca: { keyUsage: ["keyCertSign", "digitalSignature"] } },
  },
  {
    name: "a DSC whose issuer name is not the CSCA subject (the AKI still matches)",
    reason: "dsc_issuer_name_mismatch",
    breaks: { dsc: { issuerName: [["C", "UT"], ["CN", "Someone Else"]] } },
    twin: {
      dsc: { issuerName: [["CN", "Kayle ID Conformance CSCA"], ["O", "Kayle ID"], ["C", "UT"]] },
    },
  },
  {
    name: "a DSC whose tbsCertificate.signature differs from signatureAlgorithm",
    reason: "dsc_algorithm_mismatch",
    breaks: { dsc: { tbsSignatureAlgorithm: MISMATCHED_SIGNATURE_ALGORITHM } },
  },
  {
    name: "a CSCA whose tbsCertificate.signature differs from signatureAlgorithm",
    reason: "csca_algorithm_mismatch",
    breaks: { csca: { tbsSignatureAlgorithm: MISMATCHED_SIGNATURE_ALGORITHM } },
  },
  {
    name: "SignedData.digestAlgorithms disagreeing with the SignerInfo's",
    reason: "sod_digest_algorithm_mismatch",
    breaks: { sod: { digestAlgorithms: ["SHA-384"] } },
    twin: { sod: { digestAlgorithms: ["SHA-256"] } },
  },
  {
    name: "a SignerInfo naming a certificate that is not in the SOD (no fallback)",
    reason: "signer_not_found",
    breaks: { sod: { signerIdentifier: otherSignerIdentifier() } },
  },
  {
    name: "a DSC expired at the verification time (signingTime inside its validity)",
    reason: "dsc_expired",
    breaks: { dsc: { notBefore: D("2024-01-01"), notAfter: D("2026-03-01") } },
    twin: { dsc: { notBefore: D("2024-01-01"), notAfter: D("2026-09-01") } },
  },
  {
    name: "a DSC not yet valid at the verification time",
    reason: "dsc_not_yet_valid",
    breaks: {
      dsc: { notBefore: D("2026-07-01") },
      sod: { signingTime: D("2026-07-02"), omitSigningTime: true },
    },
    twin: { dsc: { notBefore: D("2026-05-01") }, sod: { omitSigningTime: true } },
  },
  {
    name: "a CSCA expired at the verification time",
    reason: "csca_expired",
    breaks: { csca: { notAfter: D("2026-03-01") } },
    twin: { csca: { notAfter: D("2026-09-01") } },
  },
  {
    name: "a CSCA not yet valid at the verification time",
    reason: "csca_not_yet_valid",
    breaks: { csca: { notBefore: D("2026-07-01") } },
    twin: { csca: { notBefore: D("2026-05-01") } },
  },
  {
    name: "a back-dated signingTime before the DSC validity",
    reason: "signing_time_outside_dsc_validity",
    breaks: { sod: { signingTime: D("2024-06-01") } },
    twin: { sod: { signingTime: D("2025-06-01") } },
  },
  {
    name: "a signingTime after the DSC's private key usage period",
    reason: "signing_time_outside_private_key_usage_period",
    breaks: { dsc: { privateKeyUsagePeriod: { notAfter: D("2025-12-31") } } },
    twin: { dsc: { privateKeyUsagePeriod: { notAfter: D("2026-03-31") } } },
  },
  {
    name: "DG2 read but not covered by the SOD",
    reason: "dg_not_covered",
    breaks: { sod: { coveredDataGroups: [1] } },
    twin: { sod: { coveredDataGroups: [1, 2] } },
  },
  {
    name: "DG1 read but not covered by the SOD",
    reason: "dg_not_covered",
    breaks: { sod: { coveredDataGroups: [2] } },
  },
  {
    name: "a DSC not signed by the CSCA's key",
    reason: "dsc_signature_invalid",
    breaks: { dsc: { signedByOtherKey: true } },
  },
];

async function verify(options: ConformanceOptions): Promise<PassiveAuthResult> {
  const doc = await createConformanceDocument(options);
  const trust = await createMemoryTrustSource({
    cscas: [doc.cscaCertificate],
    crls: doc.crl ? [doc.crl] : [],
  });
  return await passiveAuthenticate({
    sod: doc.sod,
    dataGroups: doc.dataGroups,
    trust,
    at: doc.at,
  });
}

const outcomeOf = (r: PassiveAuthResult) => r.ok ? "passed" : `${r.reason}: ${r.detail}`;

Deno.test("conformance: the compliant document passes", async () => {
  const result = await verify({});
  assert.equal(outcomeOf(result), "passed");
  assert.deepEqual(result.ok && [...result.dataGroupHashes.keys()], [1, 2]);
});

for (const rule of RULES) {
  Deno.test(`conformance: ${rule.name} → ${rule.reason}; its twin passes`, async () => {
    const broken = await verify(rule.breaks);
    assert.equal(broken.ok ? "passed" : broken.reason, rule.reason, outcomeOf(broken));
    const twin = await verify(rule.twin ?? {});
    assert.equal(outcomeOf(twin), "passed", `twin of ${rule.name}`);
  });
}

Deno.test("conformance: a CRL counts only when its signer holds cRLSign", async () => {
  const revoked = await verify({ crl: { revokeDsc: true } });
  assert.equal(revoked.ok ? "passed" : revoked.reason, "dsc_revoked");
  const fresh = await verify({ crl: { revokeDsc: false } });
  assert.equal(fresh.ok && fresh.revocation, "not_revoked");
  // The same CRL from a CSCA whose key usage lacks cRLSign is not a CRL at all.
  const unauthorised = await verify({
    crl: { revokeDsc: true },
    csca: { keyUsage: ["keyCertSign"] },
  });
  assert.ok(unauthorised.ok, outcomeOf(unauthorised));
  assert.equal(unauthorised.revocation, "revocation_unknown");
  assert.ok(unauthorised.warnings.includes("crl_signer_lacks_crl_sign"));
});

Deno.test("conformance: a trusted DSC-like certificate cannot issue, even holding the key", async () => {
  // The trust set holds a non-CA certificate with the CSCA's name and key (what a leaked or
  // mis-imported end-entity certificate looks like): its key verifies the DSC, it may not issue.
  const result = await verify({
    csca: { basicConstraintsCa: null, keyUsage: ["digitalSignature"] },
  });
  assert.equal(result.ok ? "passed" : result.reason, "csca_not_ca");
});

Deno.test("shell model: a sandbox passport made on a phone whose clock is months ahead still verifies", async () => {
  const passport = await createSyntheticPassport({ now: new Date("2026-12-06T10:00:00Z") });
  const trust = await createMemoryTrustSource({ cscas: [passport.cscaCertificate] });
  const verify = (at: string) =>
    passiveAuthenticate({ ...passport.files, trust, at: new Date(at) });
  // The server's clock says June: the DSC (valid 2025-01-01 .. 2031) covers it.
  assert.equal(outcomeOf(await verify("2026-06-01T12:00:00Z")), "passed");
  // Long after the sandbox DSC's validity, every certificate has expired.
  const late = await verify("2033-01-01T00:00:00Z");
  assert.equal(late.ok ? "passed" : late.reason, "dsc_expired");
});
