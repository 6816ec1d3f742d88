import assert from "node:assert/strict";
import { repositoryStartEnv, repositoryTaskRun, taskRun } from "./deno_tasks.ts";

Deno.test("task run: the assignments in front of deno run, and its arguments", () => {
  const json = (start: string) => JSON.stringify({ tasks: { start } });
  assert.deepEqual(taskRun(json("deno install -q && A=1 B=x=y deno run -A main.ts C=2"), "start"), {
    env: { A: "1", B: "x=y" },
    args: ["-A", "main.ts", "C=2"],
  });
  assert.deepEqual(taskRun(json("deno run main.ts"), "start"), { env: {}, args: ["main.ts"] });
  assert.throws(() => taskRun(json("deno install"), "start"), /no `deno run`/);
  assert.throws(() => taskRun(json("deno run main.ts"), "face-server"), /no face-server task/);
});

Deno.test("task run: this repository's server runs with the memory release, writes only data/", async () => {
  assert.deepEqual(await repositoryStartEnv(), { DENO_USR2_MEMORY_TRIM: "1" });
  const { args } = await repositoryTaskRun("start");
  assert.ok(args.includes("--allow-write=data,static/build"), args.join(" "));
  assert.equal(args.at(-1), "main.ts");
  assert.equal((await repositoryTaskRun("face-server")).args.at(-1), "scripts/face_server.ts");
});
