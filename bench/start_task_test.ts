import assert from "node:assert/strict";
import { repositoryStartEnv, startTaskEnv } from "./start_task.ts";

Deno.test("start task env: the assignments in front of deno run, and only those", () => {
  const task = (start: string) => JSON.stringify({ tasks: { start } });
  assert.deepEqual(startTaskEnv(task("deno install -q && A=1 B=x=y deno run -A main.ts C=2")), {
    A: "1",
    B: "x=y",
  });
  assert.deepEqual(startTaskEnv(task("deno run main.ts")), {});
  assert.throws(() => startTaskEnv(task("deno install")), /no `deno run`/);
  assert.throws(() => startTaskEnv(JSON.stringify({ tasks: {} })), /no start task/);
});

Deno.test("start task env: this repository's server runs with the memory release", async () => {
  assert.deepEqual(await repositoryStartEnv(), { DENO_USR2_MEMORY_TRIM: "1" });
});
