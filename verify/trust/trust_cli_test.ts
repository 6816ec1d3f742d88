import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../scripts/trust.ts";
import { vectorsDir } from "../vectors_test_support.ts";
import { listTrustItems } from "./mod.ts";

/** Runs the CLI with console output captured, against a KV file in a temporary folder. */
async function runCli(kvPath: string, args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(" "));
  const previous = Deno.env.get("KAYLE_KV_PATH");
  Deno.env.set("KAYLE_KV_PATH", kvPath);
  try {
    return { code: await main(args), output: lines.join("\n") };
  } finally {
    console.log = log;
    if (previous === undefined) Deno.env.delete("KAYLE_KV_PATH");
    else Deno.env.set("KAYLE_KV_PATH", previous);
  }
}

Deno.test({
  name: "trust CLI: import a master list with --root, then list; the KV folder is created",
  async fn() {
    const dir = await Deno.makeTempDir();
    const kvPath = join(dir, "data", "kayle.kv3");
    const v = vectorsDir();
    try {
      const imported = await runCli(kvPath, [
        "import",
        join(v, "masterlists/NL_ML_2026-07-22.ml"),
        "--root",
        join(v, "masterlists/NL_ROOT_CA.der"),
      ]);
      assert.equal(imported.code, 0);
      assert.match(imported.output, /added \d+, already present 0, expired \d+, skipped 0/);
      assert.match(imported.output, /\n {2}NL {2}added/);
      assert.match(
        imported.output,
        /^new anchor: NL {2}\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2} {2}[0-9a-f]{64} {2}/m,
      );
      const refused = await runCli(kvPath, [
        "import",
        join(v, "masterlists/DE_ML_2026-05-28-08-28-45.ml"),
      ]);
      assert.equal(refused.code, 1);
      assert.match(refused.output, /master_list_root_missing/);
      const listed = await runCli(kvPath, ["list"]);
      assert.equal(listed.code, 0);
      const added = Number(imported.output.match(/added (\d+),/)![1]);
      assert.ok(added > 300);
      assert.match(listed.output, new RegExp(`\\n${added} cscas$`));
      assert.match(
        listed.output,
        /^NL {2}\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2} {2}[0-9a-f]{64} {2}/m,
      );
      const kv = await Deno.openKv(kvPath);
      assert.equal((await listTrustItems(kv, "csca")).length, added);
      kv.close();
      assert.equal((await runCli(kvPath, ["bogus"])).code, 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("trust CLI: a file that is not there is one line and exit 2, nothing imported", async () => {
  const dir = await Deno.makeTempDir();
  const kvPath = join(dir, "data", "kayle.kv3");
  const errors: string[] = [];
  const error = console.error;
  console.error = (...parts: unknown[]) => errors.push(parts.join(" "));
  try {
    const v = vectorsDir();
    for (
      const args of [
        ["import", join(dir, "DE_ML_missing.ml")],
        ["import", join(v, "masterlists/NL_ML_2026-07-22.ml"), "--root", join(dir, "no_root.der")],
      ]
    ) {
      errors.length = 0;
      assert.equal((await runCli(kvPath, args)).code, 2);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /^trust: cannot read .*: no such file \(check the path\)\.$/);
    }
    assert.equal(await Deno.stat(kvPath).then(() => true, () => false), false, "no KV created");
  } finally {
    console.error = error;
    await Deno.remove(dir, { recursive: true });
  }
});
