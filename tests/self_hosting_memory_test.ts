/**
 * The memory setting docs/self-hosting.md ("Memory") gives operators, which the phones bench also
 * runs: this Deno accepts its V8 flags through `DENO_V8_FLAGS`, so the documented command starts the
 * server instead of stopping at an unknown flag.
 */
import assert from "node:assert/strict";
import { memorySettingFlags, SELF_HOSTING_DOC } from "../bench/memory_setting.ts";

async function evalWith(v8Flags: string): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "console.log('started')"],
    env: { DENO_V8_FLAGS: v8Flags },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout).trim() };
}

Deno.test("the V8 flags of self-hosting.md's memory setting start this Deno", async () => {
  const flags = memorySettingFlags(await Deno.readTextFile(SELF_HOSTING_DOC));
  assert.match(flags, /--memory-saver-mode/);
  assert.deepEqual(await evalWith(flags), { code: 0, stdout: "started" });
  // The check can fail: an unknown flag in DENO_V8_FLAGS stops the process before any code runs.
  const unknown = await evalWith("--no-such-kayle-flag");
  assert.notEqual(unknown.code, 0);
  assert.equal(unknown.stdout, "");
});

Deno.test("a page without the setting's command line is refused, not read as no flags", () => {
  assert.throws(() => memorySettingFlags("DENO_V8_FLAGS= deno task start\n"), /no `DENO_V8_FLAGS/);
  assert.equal(
    memorySettingFlags("text\nDENO_V8_FLAGS=--a,--b=1 deno task start\nmore"),
    "--a,--b=1",
  );
});
