/**
 * The document CLI (`scripts/document.ts`) and the live attempt pipeline share one path
 * (`checkDocumentCore`, docs/document-checks.md): on the same documents, the same trust anchors
 * and the same verification time they reach the same conclusion, check and public code.
 */
import assert from "node:assert/strict";
import { parseCertificate } from "../../verify/asn1/mod.ts";
import {
  type ConformanceOptions,
  createConformanceDocument,
  otherSignerIdentifier,
} from "../../verify/factory/conformance_test_support.ts";
import { failureCodeOf } from "../../verify/result.ts";
import { putTrustItem } from "../../verify/trust/kv_store.ts";
import { createMemoryTrustSource } from "../../verify/trust/memory_source.ts";
import type { BiometricVerifier } from "../../verify/biometric/mod.ts";
import { runFolderChecks } from "../../scripts/document.ts";
import { setVerificationPolicy } from "../accounts/verification_policy.ts";
import { createTestApp, seedOrganization } from "../../tests/support/app.ts";
import { createSession } from "../sessions/sessions.ts";
import { recordConsent } from "../sessions/consent.ts";
import { parseShareFields } from "../sessions/share_fields.ts";
import { toHex } from "../core/keys.ts";
import { runAttemptPipeline } from "./pipeline.ts";
import { encodeBase64 } from "./protocol.ts";
import { ArtifactStore } from "./uploads.ts";

const accepting: BiometricVerifier = {
  compareFaces: () => Promise.resolve({ decision: "match", reason: "face_match" }),
  checkLiveness: () => Promise.resolve({ passed: true, reason: "liveness_passed" }),
};

const D = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** Documents and what both paths must conclude: null = accepted, else [check, reason]. */
const CASES: Array<[string, ConformanceOptions, [string, string] | null]> = [
  ["compliant", {}, null],
  ["DG2 not covered", { sod: { coveredDataGroups: [1] } }, [
    "passive_authentication",
    "dg_not_covered",
  ]],
  ["DSC expired", { dsc: { notBefore: D("2024-01-01"), notAfter: D("2026-03-01") } }, [
    "passive_authentication",
    "dsc_expired",
  ]],
  ["signer not named", { sod: { signerIdentifier: otherSignerIdentifier() } }, [
    "passive_authentication",
    "signer_not_found",
  ]],
  ["issuer not a CA", { csca: { basicConstraintsCa: null } }, [
    "passive_authentication",
    "csca_not_ca",
  ]],
  ["back-dated signingTime", { sod: { signingTime: D("2024-06-01") } }, [
    "passive_authentication",
    "signing_time_outside_dsc_validity",
  ]],
];

async function put(store: ArtifactStore, kind: string, bytes: Uint8Array) {
  const sha = toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
  );
  const k = kind as "sod";
  store.begin(k, 0, bytes.length, sha);
  store.chunk(k, 0, 0, encodeBase64(bytes));
  assert.ok("sha256" in await store.end(k, 0));
}

for (const [name, options, expected] of CASES) {
  Deno.test(`document paths: CLI and live pipeline agree on "${name}"`, async () => {
    // A fresh instance per document: its KV trust store holds exactly this document's CSCA.
    const t = await createTestApp();
    try {
      const { org } = await seedOrganization(t.deps);
      // These documents offer neither AA nor CA; the organization accepts that, so the document
      // steps alone decide.
      await setVerificationPolicy(t.deps.kv, org.id, {
        allowWithoutAntiCloning: true,
        by: "usr_test",
        at: t.deps.clock.now(),
      });
      const doc = await createConformanceDocument(options);
      t.clock.set(doc.at);
      await putTrustItem(t.deps.kv, "csca", parseCertificate(doc.cscaCertificate), "test");
      // The CLI path, with the CSCA as a --trust file.
      const cli = await runFolderChecks(
        { sod: doc.sod, dataGroups: doc.dataGroups },
        await createMemoryTrustSource({ cscas: [doc.cscaCertificate], source: "cli" }),
        doc.at,
      );
      const cliFailure = cli.checks.find((c) => c.status === "failed");
      // The live pipeline, with the CSCA in the KV trust store.
      const { session } = await createSession(t.deps, {
        orgId: org.id,
        mode: "live",
        shareFields: parseShareFields(undefined),
        redirectUrl: null,
        webhookEndpointId: null,
      });
      await recordConsent(t.deps, session.id, ["kayle_document_id"]);
      const artifacts = new ArtifactStore();
      await put(artifacts, "sod", doc.sod);
      for (const [n, bytes] of doc.dataGroups) await put(artifacts, `dg${n}`, bytes);
      await put(artifacts, "selfie_frame", new Uint8Array([0xff, 0xd8, 1]));
      const live = await runAttemptPipeline(t.deps, {
        session,
        artifacts,
        aaChallenge: new Uint8Array(8),
        aaSignature: null,
        chipAuth: null,
        poseChallenge: { poses: ["centre", "left"], nonce: "n0nce-n0nce" },
        consentConfirmed: true,
        biometric: accepting,
      });
      if (expected === null) {
        assert.equal(cliFailure, undefined, `${name}: CLI ${JSON.stringify(cli.checks)}`);
        assert.equal(live.verdict.outcome, "succeeded", `${name}: ${JSON.stringify(live)}`);
        return;
      }
      assert.deepEqual([cliFailure?.check, cliFailure?.reason], expected, `${name}: CLI`);
      assert.equal(live.failedCheck, expected[0], `${name}: pipeline check`);
      assert.equal(
        live.verdict.outcome === "failed" && live.verdict.failureCode,
        failureCodeOf(cli.checks),
        `${name}: same public code`,
      );
    } finally {
      await t.close();
    }
  });
}
