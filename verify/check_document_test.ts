import assert from "node:assert/strict";
import { hexToBytes } from "@noble/hashes/utils.js";
import { startChipAuthentication } from "./chip/chip_authentication.ts";
import {
  createSyntheticPassport,
  type SyntheticPassport,
  type SyntheticPassportOptions,
} from "./factory/synthetic_passport.ts";
import {
  checkActiveAuthentication,
  checkDocument,
  checkDocumentValidity,
  type DocumentCheckInput,
  type DocumentCheckResult,
  documentRiskScore,
} from "./check_document.ts";
import { readVector, readVectorJson } from "./vectors_test_support.ts";
import { createMemoryTrustSource, EMPTY_TRUST_SOURCE } from "./trust/memory_source.ts";

const ETSI_AT = new Date("2012-01-01T00:00:00Z");

function etsiDataGroups(): Map<number, Uint8Array> {
  return new Map([1, 2, 3, 4, 14, 15].map((dg) => [dg, readVector(`etsi-eacaa/DG${dg}.bin`)]));
}

async function etsiTrust() {
  return await createMemoryTrustSource({ cscas: [readVector("etsi-eacaa/CSCA.der")] });
}

function statuses(result: DocumentCheckResult): string[] {
  return result.checks.map((check) => `${check.check}:${check.status}:${check.reason ?? ""}`);
}

Deno.test({
  name: "ETSI specimen at 2012-01-01: MRZ, PA and validity pass; DG15 without AA evidence fails",
  async fn() {
    const result = await checkDocument({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: etsiDataGroups(),
      trust: await etsiTrust(),
      at: ETSI_AT,
    });
    assert.deepEqual(statuses(result), [
      "mrz:passed:",
      "passive_authentication:passed:",
      "document_validity:passed:",
      "active_authentication:failed:aa_evidence_missing",
      "chip_authentication:skipped:not_run_after_failure",
    ]);
    assert.equal(result.ok, false);
    assert.equal(result.failureCode, "document_active_authentication_failed");
    assert.equal(result.riskScore, 1);
    assert.equal(result.portrait, undefined);
  },
});

Deno.test({
  name: "ETSI negatives: a tampered SOD or DG1 is document_authenticity_failed",
  async fn() {
    const trust = await etsiTrust();
    const tamperedSod = await checkDocument({
      sod: readVector("etsi-eacaa/negative/sod_dg1hash_modified.bin"),
      dataGroups: etsiDataGroups(),
      trust,
      at: ETSI_AT,
    });
    assert.equal(tamperedSod.failureCode, "document_authenticity_failed");
    assert.equal(tamperedSod.checks[1].reason, "message_digest_mismatch");
    assert.equal(tamperedSod.checks[2].status, "skipped");
    const groups = etsiDataGroups();
    groups.set(1, readVector("etsi-eacaa/negative/DG1_country_modified.bin"));
    const tamperedDg1 = await checkDocument({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: groups,
      trust,
      at: ETSI_AT,
    });
    assert.equal(tamperedDg1.checks[0].status, "passed"); // the MRZ itself is well-formed
    assert.equal(tamperedDg1.failureCode, "document_authenticity_failed");
    assert.equal(tamperedDg1.checks[1].reason, "dg_hash_mismatch");
  },
});

Deno.test({
  name: "ETSI specimen without a trust anchor: csca_not_found",
  async fn() {
    const result = await checkDocument({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: etsiDataGroups(),
      trust: EMPTY_TRUST_SOURCE,
      at: ETSI_AT,
    });
    assert.equal(result.failureCode, "document_authenticity_failed");
    assert.equal(result.checks[1].reason, "csca_not_found");
  },
});

Deno.test({
  name: "missing or broken DG1 is document_data_invalid before any cryptography",
  async fn() {
    const groups = etsiDataGroups();
    groups.delete(1);
    const missing = await checkDocument({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: groups,
      trust: EMPTY_TRUST_SOURCE,
      at: ETSI_AT,
    });
    assert.equal(missing.failureCode, "document_data_invalid");
    assert.equal(missing.checks[0].reason, "dg1_missing");
    assert.equal(missing.checks[1].reason, "not_run_after_failure");
    const broken = readVector("etsi-eacaa/DG1.bin").slice();
    broken[51] ^= 0x01; // C → B in the document number: its check digit no longer validates
    groups.set(1, broken);
    const invalid = await checkDocument({
      sod: readVector("etsi-eacaa/EF_SOD.bin"),
      dataGroups: groups,
      trust: EMPTY_TRUST_SOURCE,
      at: ETSI_AT,
    });
    assert.equal(invalid.failureCode, "document_data_invalid");
    assert.match(invalid.checks[0].reason ?? "", /^mrz_check_digit_/);
  },
});

Deno.test({
  name: "AA step on a real Slovenian passport: valid signature passes, a flipped bit fails",
  async fn() {
    const vectors = readVectorJson<{ vectors: { challenge: string; signature: string }[] }>(
      "si-passport-aa/aa_vectors.json",
    );
    const dataGroups = new Map([[15, readVector("si-passport-aa/DG15.bin")]]);
    const covered = new Set([1, 2, 3, 14, 15]);
    const { challenge, signature } = vectors.vectors[0];
    const evidence = { challenge: hexToBytes(challenge), signature: hexToBytes(signature) };
    const passed = await checkActiveAuthentication(covered, dataGroups, evidence);
    assert.equal(passed.status, "passed");
    evidence.challenge[0] ^= 0x01;
    const failed = await checkActiveAuthentication(covered, dataGroups, evidence);
    assert.deepEqual([failed.status, failed.reason], ["failed", "signature_invalid"]);
    const notCovered = await checkActiveAuthentication(new Set([1, 2]), dataGroups, evidence);
    assert.deepEqual([notCovered.status, notCovered.reason], ["skipped", "aa_not_offered"]);
    const withheld = await checkActiveAuthentication(covered, new Map(), evidence);
    assert.equal(withheld.reason, "aa_dg15_missing");
  },
});

Deno.test("a document is valid through its expiry date (UTC), expired the day after", () => {
  const mrz = { dateOfExpiry: "2030-05-31" } as Parameters<typeof checkDocumentValidity>[0];
  const lastDay = checkDocumentValidity(mrz, new Date("2030-05-31T23:59:59Z"));
  assert.equal(lastDay.status, "passed");
  const dayAfter = checkDocumentValidity(mrz, new Date("2030-06-01T00:00:00Z"));
  assert.deepEqual([dayAfter.status, dayAfter.reason], ["failed", "document_expired"]);
});

Deno.test("risk score: 1 on failure, lowest with both proofs, raised by unknown revocation", () => {
  assert.equal(documentRiskScore(false, "both", "not_revoked"), 1);
  assert.equal(documentRiskScore(true, "both", "not_revoked"), 0);
  assert.equal(documentRiskScore(true, "active", "not_revoked"), 0.1);
  assert.equal(documentRiskScore(true, "chip", "revocation_unknown"), 0.3);
  assert.equal(documentRiskScore(true, "none", "revocation_unknown"), 0.8);
});

// --- the pipeline on synthetic passports: every failure code through real checks ---

const NOW = new Date("2026-06-01T10:00:00Z");

/** Runs the phone's part against the synthetic chip, then the real document checks. */
async function verifyPassport(
  passport: SyntheticPassport,
  overrides: Partial<DocumentCheckInput> = {},
) {
  const { sod, dataGroups } = passport.files;
  const challenge = crypto.getRandomValues(new Uint8Array(8));
  const input: DocumentCheckInput = {
    sod,
    dataGroups,
    trust: await createMemoryTrustSource({ cscas: [passport.cscaCertificate] }),
    at: NOW,
  };
  if (dataGroups.has(15)) {
    input.activeAuth = {
      challenge,
      signature: await passport.chip.signActiveAuthentication(challenge),
    };
  }
  const dg14 = dataGroups.get(14);
  const start = dg14 ? await startChipAuthentication({ dg14 }) : undefined;
  if (start && "session" in start) {
    const relay = await passport.chip.runChipAuthentication(start.terminalPublicKey);
    input.chipAuth = { session: start.session, relay };
  }
  return await checkDocument({ ...input, ...overrides });
}

async function passport(options: SyntheticPassportOptions = {}) {
  return await createSyntheticPassport({ now: NOW, ...options });
}

Deno.test("a genuine synthetic passport passes all five checks with AA and CA", async () => {
  const result = await verifyPassport(await passport());
  assert.deepEqual(result.checks.map((check) => `${check.check}:${check.status}`), [
    "mrz:passed",
    "passive_authentication:passed",
    "document_validity:passed",
    "active_authentication:passed",
    "chip_authentication:passed",
  ]);
  assert.equal(result.ok, true);
  assert.equal(result.failureCode, undefined);
  assert.equal(result.antiCloning, "both");
  assert.ok(result.riskScore <= 0.2);
  assert.equal(result.mrz?.documentNumber, "L898902C3");
  assert.ok(result.portrait && result.portrait.bytes.length > 0);
});

const FAILURES: Array<[string, SyntheticPassportOptions, string, string]> = [
  [
    "bad MRZ check digit",
    { badMrzCheckDigit: true },
    "document_data_invalid",
    "mrz_check_digit_document_number",
  ],
  ["tampered SOD", { tamperSod: true }, "document_authenticity_failed", "signature_invalid"],
  ["tampered DG2", { tamperDataGroup: 2 }, "document_authenticity_failed", "dg_hash_mismatch"],
  ["expired document", { expired: true }, "document_expired", "document_expired"],
  [
    "cloned AA key",
    { wrongAaKey: true },
    "document_active_authentication_failed",
    "signature_invalid",
  ],
  [
    "cloned CA key",
    { failChipAuth: true },
    "document_chip_authentication_failed",
    "command_mac_invalid",
  ],
];

for (const [name, options, code, reason] of FAILURES) {
  Deno.test(`${name} → ${code} (${reason})`, async () => {
    const result = await verifyPassport(await passport(options));
    assert.equal(result.ok, false);
    assert.equal(result.failureCode, code);
    const failed = result.checks.filter((check) => check.status === "failed");
    assert.equal(failed.length, 1);
    assert.equal(failed[0].reason, reason);
    assert.equal(result.riskScore, 1);
    assert.equal(result.portrait, undefined);
  });
}

Deno.test("missing AA or CA evidence fails the check the document offers", async () => {
  const genuine = await passport();
  const noAa = await verifyPassport(genuine, { activeAuth: undefined });
  assert.equal(noAa.failureCode, "document_active_authentication_failed");
  assert.equal(noAa.checks[3].reason, "aa_evidence_missing");
  const noCa = await verifyPassport(await passport(), { chipAuth: undefined });
  assert.equal(noCa.failureCode, "document_chip_authentication_failed");
  assert.equal(noCa.checks[4].reason, "ca_evidence_missing");
});

Deno.test("a document with neither AA nor CA passes only when the policy allows it", async () => {
  const bare = await passport({ aa: false, ca: false });
  const denied = await verifyPassport(bare);
  assert.equal(denied.failureCode, "document_chip_authentication_failed");
  assert.equal(denied.checks[4].reason, "anti_cloning_unavailable");
  const allowed = await verifyPassport(bare, { policy: { allowWithoutAntiCloning: true } });
  assert.equal(allowed.ok, true);
  assert.equal(allowed.antiCloning, "none");
  assert.ok(allowed.riskScore >= 0.6);
  assert.deepEqual(allowed.checks.slice(3).map((check) => check.reason), [
    "aa_not_offered",
    "ca_not_offered",
  ]);
});

Deno.test("AA only: the risk score stays low but above a document proving both", async () => {
  const result = await verifyPassport(await passport({ ca: false }));
  assert.equal(result.ok, true);
  assert.equal(result.antiCloning, "active");
  assert.ok(result.riskScore > 0 && result.riskScore < 0.6);
});
