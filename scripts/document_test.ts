import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createConformanceDocument } from "../verify/factory/conformance_test_support.ts";
import { createSyntheticPassport } from "../verify/factory/synthetic_passport.ts";
import { vectorsDir } from "../verify/vectors_test_support.ts";

const SCRIPT = new URL("./document.ts", import.meta.url).pathname;

async function runCli(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", SCRIPT, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

const vector = (path: string) => join(vectorsDir(), path);

/** MRZ content of the ETSI specimen that must never appear in the CLI output. */
const PERSONAL = ["MUSTERMANN", "ERIKA", "C11T002JM", "960812", "1996-08-12", "2013-10-31"];

Deno.test({
  name: "document verify: ETSI specimen with its CSCA at 2012-01-01 exits 0, prints no MRZ data",
  async fn() {
    const folder = vector("etsi-eacaa");
    const args = ["verify", folder, "--trust", join(folder, "CSCA.der"), "--at", "2012-01-01"];
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /mrz\s+passed/);
    assert.match(
      result.stdout,
      /passive_authentication\s+passed.*DG hashes matched: 1,2,3,4,14,15/,
    );
    assert.match(result.stdout, /document_validity\s+passed/);
    for (const value of PERSONAL) assert.ok(!result.stdout.includes(value), "leaked MRZ data");
  },
});

Deno.test({
  name: "document verify: ETSI specimen today exits 1: --at moves certificate validity (JSON)",
  async fn() {
    const folder = vector("etsi-eacaa");
    const result = await runCli(["verify", folder, "--trust", join(folder, "CSCA.der"), "--json"]);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.ok, false);
    const pa = report.checks.find((c: { check: string }) => c.check === "passive_authentication");
    assert.deepEqual([pa.status, pa.reason], ["failed", "dsc_expired"]);
    // The pipeline stops at the first failure: the document's own expiry is not reached.
    assert.equal(report.checks.length, 2);
    for (const value of PERSONAL) assert.ok(!result.stdout.includes(value), "leaked MRZ data");
  },
});

Deno.test({
  name:
    "document verify: a data group read but not listed in the SOD is reported as dg_not_covered",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      for (const entry of Deno.readDirSync(vector("etsi-eacaa"))) {
        if (entry.isFile) {
          await Deno.copyFile(vector(`etsi-eacaa/${entry.name}`), join(dir, entry.name));
        }
      }
      await Deno.writeFile(join(dir, "DG11.bin"), new Uint8Array([0x6b, 0x01, 0x00]));
      const args = ["verify", dir, "--trust", join(dir, "CSCA.der"), "--at", "2012-01-01"];
      const json = await runCli([...args, "--json"]);
      assert.equal(json.code, 0, json.stdout);
      assert.deepEqual(JSON.parse(json.stdout).dataGroupsNotCovered, [11]);
      const table = await runCli(args);
      assert.match(table.stdout, /dg_not_covered: DG11 \(read, not listed in the SOD: not used\)/);
      assert.match(table.stdout, /DG hashes matched: 1,2,3,4,14,15\n/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Writes a document's files (and its CSCA as csca.der) into a fresh folder. */
async function writeFolder(
  files: { sod: Uint8Array; dataGroups: Map<number, Uint8Array> },
  csca: Uint8Array,
): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(join(dir, "EF_SOD.bin"), files.sod);
  for (const [dg, bytes] of files.dataGroups) await Deno.writeFile(join(dir, `DG${dg}.bin`), bytes);
  await Deno.writeFile(join(dir, "csca.der"), csca);
  return dir;
}

Deno.test("document verify: AA files in the folder run Active Authentication (valid, then tampered)", async () => {
  const now = new Date("2026-06-01T12:00:00Z");
  const passport = await createSyntheticPassport({ now });
  const dir = await writeFolder(passport.files, passport.cscaCertificate);
  try {
    const challenge = crypto.getRandomValues(new Uint8Array(8));
    await Deno.writeFile(join(dir, "aa_challenge.bin"), challenge);
    const signature = await passport.chip.signActiveAuthentication(challenge);
    await Deno.writeFile(join(dir, "aa_signature.bin"), signature);
    const args = ["verify", dir, "--trust", join(dir, "csca.der"), "--at", now.toISOString()];
    const valid = await runCli([...args, "--json"]);
    assert.equal(valid.code, 0, valid.stdout);
    const checks = JSON.parse(valid.stdout).checks.map((c: { check: string; status: string }) =>
      `${c.check}:${c.status}`
    );
    assert.deepEqual(checks, [
      "mrz:passed",
      "passive_authentication:passed",
      "document_validity:passed",
      "active_authentication:passed",
    ]);
    challenge[7] ^= 0x80;
    await Deno.writeFile(join(dir, "aa_challenge.bin"), challenge);
    const tampered = await runCli(args);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, /active_authentication\s+failed\s+signature_invalid/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("document verify: at 2040 every certificate has expired and the document fails", async () => {
  const doc = await createConformanceDocument();
  const dir = await writeFolder(doc, doc.cscaCertificate);
  try {
    const args = ["verify", dir, "--trust", join(dir, "csca.der"), "--json"];
    const now = await runCli([...args, "--at", doc.at.toISOString()]);
    assert.equal(now.code, 0, now.stdout);
    const later = await runCli([...args, "--at", "2040-01-01"]);
    assert.equal(later.code, 1);
    const pa = JSON.parse(later.stdout).checks.find((c: { check: string }) =>
      c.check === "passive_authentication"
    );
    assert.deepEqual([pa.status, pa.reason], ["failed", "dsc_expired"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("document verify: a DG1 the SOD does not list fails dg_not_covered and is reported", async () => {
  const doc = await createConformanceDocument({ sod: { coveredDataGroups: [2] } });
  const dir = await writeFolder(doc, doc.cscaCertificate);
  try {
    const args = ["verify", dir, "--trust", join(dir, "csca.der"), "--at", doc.at.toISOString()];
    const result = await runCli([...args, "--json"]);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout);
    const pa = report.checks.find((c: { check: string }) => c.check === "passive_authentication");
    assert.deepEqual([pa.status, pa.reason], ["failed", "dg_not_covered"]);
    assert.deepEqual(report.dataGroupsNotCovered, [1]);
    assert.ok(!report.checks.some((c: { check: string }) => c.check === "document_validity"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "document verify: without --trust an absent KV store is not created and PA fails",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const kvPath = join(dir, "absent.kv3");
      const result = await runCli(["verify", vector("etsi-eacaa"), "--at", "2012-01-01"], {
        KAYLE_KV_PATH: kvPath,
      });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /no trust store at/);
      assert.match(result.stdout, /passive_authentication\s+failed\s+csca_not_found/);
      assert.ok(!existsSync(kvPath));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("document: usage errors exit 2", async () => {
  assert.equal((await runCli(["inspect"])).code, 2);
  assert.equal((await runCli(["verify"])).code, 2);
  const badDate = await runCli(["verify", ".", "--at", "someday"]);
  assert.equal(badDate.code, 2);
  assert.match(badDate.stderr, /not an ISO date/);
});
