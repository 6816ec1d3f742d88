/**
 * The memory setting docs/self-hosting.md ("Memory") gives operators: this Deno accepts its V8
 * flags through `DENO_V8_FLAGS`, so the documented command starts the server instead of stopping at
 * an unknown flag.
 */
import assert from "node:assert/strict";

const doc = new URL("../docs/self-hosting.md", import.meta.url);

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
  const text = await Deno.readTextFile(doc);
  const command = /^DENO_V8_FLAGS=(\S+) deno task start$/m.exec(text);
  assert.ok(command, "self-hosting.md shows `DENO_V8_FLAGS=<flags> deno task start`");
  const flags = command[1];
  assert.match(flags, /--memory-saver-mode/);
  assert.deepEqual(await evalWith(flags), { code: 0, stdout: "started" });
  // The check can fail: an unknown flag in DENO_V8_FLAGS stops the process before any code runs.
  const unknown = await evalWith("--no-such-kayle-flag");
  assert.notEqual(unknown.code, 0);
  assert.equal(unknown.stdout, "");
});
