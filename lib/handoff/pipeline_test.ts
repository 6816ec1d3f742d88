import assert from "node:assert/strict";
import { runAttemptPipeline, trustSourceFor } from "./pipeline.ts";
import { ArtifactStore } from "./uploads.ts";
import { encodeBase64 } from "./protocol.ts";
import { toHex } from "../core/keys.ts";
import { setVerificationPolicy } from "../accounts/verification_policy.ts";
import { createTestApp, seedOrganization } from "../../tests/support/app.ts";
import { createSession } from "../sessions/sessions.ts";
import { recordConsent } from "../sessions/consent.ts";
import { parseShareFields } from "../sessions/share_fields.ts";
import { createSyntheticPassport, startChipAuthentication } from "../../verify/mod.ts";
import type { BiometricVerifier } from "../../verify/biometric/mod.ts";
import type { AppDeps } from "../deps.ts";

const accepting: BiometricVerifier = {
  compareFaces: () => Promise.resolve({ decision: "match", reason: "face_match" }),
  checkLiveness: () => Promise.resolve({ passed: true, reason: "liveness_passed" }),
};

async function put(
  store: ArtifactStore,
  kind: "sod" | "dg1" | "dg2" | "dg14" | "dg15" | "selfie_frame",
  bytes: Uint8Array,
  index = 0,
) {
  const sha = toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
  );
  store.begin(kind, index, bytes.length, sha);
  for (let seq = 0, at = 0; at < bytes.length; seq++, at += 60_000) {
    store.chunk(kind, index, seq, encodeBase64(bytes.subarray(at, at + 60_000)));
  }
  assert.ok("sha256" in await store.end(kind, index));
}

async function prepared(
  deps: AppDeps,
  shareFields: Record<string, { required: boolean; reason: string }>,
) {
  const { org } = await seedOrganization(deps);
  const { session } = await createSession(deps, {
    orgId: org.id,
    mode: "test",
    shareFields: parseShareFields(shareFields),
    redirectUrl: null,
    webhookEndpointId: null,
  });
  const passport = await createSyntheticPassport({ now: deps.clock.now() });
  const artifacts = new ArtifactStore();
  await put(artifacts, "sod", passport.files.sod);
  for (const [n, bytes] of passport.files.dataGroups) {
    await put(artifacts, `dg${n}` as "dg1", bytes);
  }
  await put(artifacts, "selfie_frame", new Uint8Array([0xff, 0xd8, 1]));
  const aaChallenge = crypto.getRandomValues(new Uint8Array(8));
  const freshChipAuth = async () => {
    const start = await startChipAuthentication({ dg14: passport.files.dataGroups.get(14)! });
    if ("ok" in start) throw new Error("CA did not start");
    const command = await start.session.protectedCommand();
    return {
      start,
      relay: await passport.chip.runChipAuthentication(start.terminalPublicKey, command),
    };
  };
  return {
    session,
    freshChipAuth,
    input: {
      session,
      artifacts,
      aaChallenge,
      aaSignature: await passport.chip.signActiveAuthentication(aaChallenge),
      chipAuth: await freshChipAuth(),
      poseChallenge: { poses: ["centre", "left"] as ("centre" | "left")[], nonce: "n0nce-n0nce" },
      consentConfirmed: true,
      biometric: accepting,
    },
  };
}

Deno.test("pipeline: success carries only consented claims, in share-field order", async () => {
  const t = await createTestApp();
  try {
    const { session, input } = await prepared(t.deps, {
      nationality_code: { required: false, reason: "Terms" },
      family_name: { required: true, reason: "Name" },
      date_of_birth: { required: false, reason: "Age" },
    });
    await recordConsent(t.deps, session.id, [
      "family_name",
      "nationality_code",
      "kayle_document_id",
    ]);
    const { verdict } = await runAttemptPipeline(t.deps, input);
    assert.equal(verdict.outcome, "succeeded", JSON.stringify(verdict));
    if (verdict.outcome !== "succeeded") return;
    assert.deepEqual(Object.keys(verdict.claims), [
      "nationality_code",
      "family_name",
      "kayle_document_id",
    ]);
    assert.deepEqual(verdict.selectedFieldKeys, Object.keys(verdict.claims));
    assert.equal(verdict.claims.family_name, "ERIKSSON");
    // AA and CA both passed; +0.2 because the sandbox publishes no CRL (revocation unknown).
    assert.equal(verdict.riskScore, 0.2);
  } finally {
    await t.close();
  }
});

Deno.test("pipeline: fails closed without a verifier, a challenge, consent or confirmation", async () => {
  const t = await createTestApp();
  try {
    const { session, input, freshChipAuth } = await prepared(t.deps, {});
    const code = async (change: Record<string, unknown>) => {
      // A CA session verifies one relay: every run gets its own.
      const run = { ...input, chipAuth: await freshChipAuth(), ...change };
      const { verdict } = await runAttemptPipeline(t.deps, run);
      return verdict.outcome === "failed" ? verdict.failureCode : "succeeded";
    };
    assert.equal(await code({}), "consent_declined"); // no consent recorded yet
    await recordConsent(t.deps, session.id, ["kayle_document_id"]);
    assert.equal(await code({}), "succeeded");
    assert.equal(await code({ consentConfirmed: false }), "consent_declined");
    assert.equal(await code({ biometric: null }), "selfie_face_mismatch");
    const unsure: BiometricVerifier = {
      ...accepting,
      compareFaces: () => Promise.reject(new Error("model crashed")),
    };
    assert.equal(await code({ biometric: unsure }), "selfie_face_mismatch");
    assert.equal(await code({ poseChallenge: null }), "liveness_failed");
    assert.equal(await code({ aaSignature: null }), "document_active_authentication_failed");
    assert.equal(await code({ chipAuth: null }), "document_chip_authentication_failed");
  } finally {
    await t.close();
  }
});

Deno.test("trust: test mode trusts only the sandbox, live mode only the KV store", async () => {
  const t = await createTestApp();
  try {
    const sandbox = await trustSourceFor(t.deps, "test");
    const live = await trustSourceFor(t.deps, "live");
    assert.notEqual(sandbox, live);
    assert.equal(await trustSourceFor(t.deps, "test"), sandbox);
  } finally {
    await t.close();
  }
});

Deno.test("pipeline: a document without AA or CA fails by default and passes under the org's policy", async () => {
  const t = await createTestApp();
  try {
    const { org } = await seedOrganization(t.deps);
    const { session } = await createSession(t.deps, {
      orgId: org.id,
      mode: "test",
      shareFields: parseShareFields(undefined),
      redirectUrl: null,
      webhookEndpointId: null,
    });
    await recordConsent(t.deps, session.id, ["kayle_document_id"]);
    const passport = await createSyntheticPassport({
      now: t.deps.clock.now(),
      aa: false,
      ca: false,
    });
    const artifacts = new ArtifactStore();
    await put(artifacts, "sod", passport.files.sod);
    for (const [n, bytes] of passport.files.dataGroups) {
      await put(artifacts, `dg${n}` as "dg1", bytes);
    }
    await put(artifacts, "selfie_frame", new Uint8Array([0xff, 0xd8, 1]));
    const input = {
      session,
      artifacts,
      aaChallenge: new Uint8Array(8),
      aaSignature: null,
      chipAuth: null,
      poseChallenge: { poses: ["centre", "left"] as ("centre" | "left")[], nonce: "n0nce-n0nce" },
      consentConfirmed: true,
      biometric: accepting,
    };
    const refused = await runAttemptPipeline(t.deps, input);
    assert.equal(refused.verdict.outcome, "failed");
    assert.equal(
      refused.verdict.outcome === "failed" && refused.verdict.failureCode,
      "document_chip_authentication_failed",
    );
    await setVerificationPolicy(t.deps.kv, org.id, {
      allowWithoutAntiCloning: true,
      by: "usr_test",
      at: t.deps.clock.now(),
    });
    const accepted = await runAttemptPipeline(t.deps, input);
    assert.equal(accepted.verdict.outcome, "succeeded");
    assert.ok((accepted.verdict.riskScore ?? 0) >= 0.6, "the risk score says so");
  } finally {
    await t.close();
  }
});
