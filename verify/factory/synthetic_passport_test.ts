import assert from "node:assert/strict";
import { createSyntheticPassport, type SyntheticPassportOptions } from "./synthetic_passport.ts";
import { sandboxCsca } from "./sandbox_csca.ts";
import { SIGNATURE_ALGORITHMS } from "./signers.ts";
import { verifyActiveAuthentication } from "../active/active_authentication.ts";
import {
  startChipAuthentication,
  verifyChipAuthenticationRelay,
} from "../chip/chip_authentication.ts";
import { parseDg14 } from "../chip/dg14.ts";
import { parseDg15 } from "../chip/dg15.ts";
import { passiveAuthenticate } from "../passive/passive_auth.ts";
import { createMemoryTrustSource } from "../trust/memory_source.ts";
import { checkDocument } from "../check_document.ts";
import { failureCodeOf } from "../result.ts";

const NOW = new Date("2026-06-01T12:00:00Z");

async function sandboxTrust() {
  return createMemoryTrustSource({ cscas: [(await sandboxCsca()).certificate], source: "sandbox" });
}

Deno.test("sandbox CSCA is deterministic (same DER on every call and install)", async () => {
  const first = await sandboxCsca();
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", first.certificate as BufferSource),
  );
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  // Pinned: changing the seed, name, validity or encoding changes the sandbox for every install.
  assert.equal(hex, SANDBOX_FINGERPRINT);
});

Deno.test("factory passports pass passive authentication for every SOD algorithm", async () => {
  const trust = await sandboxTrust();
  for (const sodAlgorithm of SIGNATURE_ALGORITHMS) {
    const passport = await createSyntheticPassport({
      sodAlgorithm,
      now: NOW,
      aa: false,
      ca: false,
    });
    const result = await passiveAuthenticate({ ...passport.files, trust, at: NOW });
    assert.equal(result.ok, true, `${sodAlgorithm}: ${!result.ok && result.reason}`);
  }
});

Deno.test("factory chip answers AA and CA that verify against its own DG14/DG15", async () => {
  for (
    const options of [
      { aa: "rsa-1024", ca: { key: "P-256", cipher: "AES-128" } },
      { aa: "ec-brainpoolP256r1", ca: { key: "brainpoolP384r1", cipher: "3DES", keyId: 2 } },
      { aa: "ec-p256", aaHash: "SHA-512", ca: { key: "dh", cipher: "AES-256" } },
    ] as SyntheticPassportOptions[]
  ) {
    const passport = await createSyntheticPassport({ ...options, now: NOW });
    const dg14 = passport.files.dataGroups.get(14)!;
    const dg15 = passport.files.dataGroups.get(15)!;
    assert.ok(parseDg14(dg14).ok && parseDg15(dg15).ok);
    const challenge = crypto.getRandomValues(new Uint8Array(8));
    const signature = await passport.chip.signActiveAuthentication(challenge);
    assert.equal((await verifyActiveAuthentication({ dg15, dg14, challenge, signature })).ok, true);
    const start = await startChipAuthentication({ dg14 });
    assert.ok(!("ok" in start));
    const relay = await passport.chip.runChipAuthentication(
      start.terminalPublicKey,
      await start.session.protectedCommand(),
    );
    assert.deepEqual(await verifyChipAuthenticationRelay(start.session, relay), { ok: true });
  }
});

async function runPipeline(options: SyntheticPassportOptions) {
  const passport = await createSyntheticPassport({ now: NOW, ...options });
  const { dataGroups, sod } = passport.files;
  const challenge = crypto.getRandomValues(new Uint8Array(8));
  const activeAuth = dataGroups.has(15)
    ? { challenge, signature: await passport.chip.signActiveAuthentication(challenge) }
    : undefined;
  let chipAuth;
  const dg14 = dataGroups.get(14);
  const start = dg14 ? await startChipAuthentication({ dg14 }) : undefined;
  if (start && !("ok" in start)) {
    chipAuth = {
      session: start.session,
      relay: await passport.chip.runChipAuthentication(
        start.terminalPublicKey,
        await start.session.protectedCommand(),
      ),
    };
  }
  return checkDocument({
    sod,
    dataGroups,
    trust: await sandboxTrust(),
    at: NOW,
    activeAuth,
    chipAuth,
  });
}

Deno.test("each tampering switch drives its failure code through the real document checks", async () => {
  const genuine = await runPipeline({});
  assert.equal(genuine.ok, true, JSON.stringify(genuine.checks));
  assert.equal(genuine.antiCloning, "both");
  const cases: Array<[SyntheticPassportOptions, string, string]> = [
    [{ badMrzCheckDigit: true }, "document_data_invalid", "mrz"],
    [{ tamperSod: true }, "document_authenticity_failed", "signature_invalid"],
    [{ tamperDataGroup: true }, "document_authenticity_failed", "dg_hash_mismatch"],
    [{ expired: true }, "document_expired", "document_expired"],
    [{ wrongAaKey: true }, "document_active_authentication_failed", "signature_invalid"],
    [{ failChipAuth: true }, "document_chip_authentication_failed", "response_not_protected"],
    [{ aa: false, ca: false }, "document_chip_authentication_failed", "anti_cloning_unavailable"],
  ];
  for (const [options, code, reason] of cases) {
    const result = await runPipeline(options);
    assert.equal(result.ok, false, JSON.stringify(options));
    assert.equal(failureCodeOf(result.checks), code, JSON.stringify(options));
    const failed = result.checks.find((check) => check.status === "failed")!;
    if (reason !== "mrz") assert.equal(failed.reason, reason, JSON.stringify(options));
  }
});

Deno.test("AA only and CA only documents pass; TD1 cards and a given portrait are carried", async () => {
  assert.equal((await runPipeline({ ca: false })).antiCloning, "active");
  assert.equal((await runPipeline({ aa: false })).antiCloning, "chip");
  const portrait = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9);
  const card = await createSyntheticPassport({ format: "TD1", portrait, now: NOW });
  assert.equal(card.mrz.length, 90);
  const dg2 = card.files.dataGroups.get(2)!;
  assert.deepEqual(dg2.subarray(dg2.length - portrait.length), portrait);
  const result = await runPipeline({ format: "TD1" });
  assert.equal(result.ok, true, JSON.stringify(result.checks));
});

const SANDBOX_FINGERPRINT = "8341796fe3b45d4fc1e2131b7bda5829efcfb9f22e4b6d1f5fb8b26cb281ef75";
