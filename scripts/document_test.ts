import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hexToBytes } from "@noble/hashes/utils.js";
import { hasVectors, readVectorJson, vectorsDir } from "../verify/testing/vectors.ts";

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

const vector = (path: string) => join(vectorsDir() ?? "", path);

/** MRZ content of the ETSI specimen that must never appear in the CLI output. */
const PERSONAL = ["MUSTERMANN", "ERIKA", "C11T002JM", "960812", "1996-08-12", "2013-10-31"];

Deno.test({
  name: "document verify: ETSI specimen with its CSCA at 2012-01-01 exits 0, prints no MRZ data",
  ignore: !hasVectors,
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
  name: "document verify: ETSI specimen today exits 1 on expiry (JSON)",
  ignore: !hasVectors,
  async fn() {
    const folder = vector("etsi-eacaa");
    const result = await runCli(["verify", folder, "--trust", join(folder, "CSCA.der"), "--json"]);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout);
    assert.equal(report.ok, false);
    const validity = report.checks.find((c: { check: string }) => c.check === "document_validity");
    assert.deepEqual([validity.status, validity.reason], ["failed", "document_expired"]);
    for (const value of PERSONAL) assert.ok(!result.stdout.includes(value), "leaked MRZ data");
  },
});

Deno.test({
  name: "document verify: AA files in the folder run Active Authentication (valid, then tampered)",
  ignore: !hasVectors,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      for (const name of ["EF_SOD.bin", "DG15.bin"]) {
        await Deno.copyFile(vector(`si-passport-aa/${name}`), join(dir, name));
      }
      const { vectors } = readVectorJson<{ vectors: { challenge: string; signature: string }[] }>(
        "si-passport-aa/aa_vectors.json",
      );
      const challenge = hexToBytes(vectors[1].challenge);
      await Deno.writeFile(join(dir, "aa_challenge.bin"), challenge);
      await Deno.writeFile(join(dir, "aa_signature.bin"), hexToBytes(vectors[1].signature));
      const args = [
        "verify",
        dir,
        "--trust",
        vector("si-passport-aa/CSCA.der"),
        "--at",
        "2015-01-01",
      ];
      const valid = await runCli([...args, "--json"]);
      assert.equal(valid.code, 0, valid.stdout);
      const checks = JSON.parse(valid.stdout).checks.map((c: { check: string; status: string }) =>
        `${c.check}:${c.status}`
      );
      assert.deepEqual(checks, ["passive_authentication:passed", "active_authentication:passed"]);
      challenge[7] ^= 0x80;
      await Deno.writeFile(join(dir, "aa_challenge.bin"), challenge);
      const tampered = await runCli(args);
      assert.equal(tampered.code, 1);
      assert.match(tampered.stdout, /active_authentication\s+failed\s+signature_invalid/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "document verify: without --trust an absent KV store is not created and PA fails",
  ignore: !hasVectors,
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
