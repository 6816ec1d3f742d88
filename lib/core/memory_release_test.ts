import assert from "node:assert/strict";
import {
  ActivityMeter,
  MEMORY_RELEASE_POLICY,
  memoryReleaseAvailable,
  MemoryReleaseWatch,
  startMemoryRelease,
} from "./memory_release.ts";
import type { AppDeps } from "../deps.ts";
import { repositoryStartEnv } from "../../tests/support/deno_tasks.ts";

const MIB = 1024 * 1024;
const policy = {
  quietMs: 1_000,
  minGrowthBytes: 32 * MIB,
  minIntervalMs: 10_000,
  checkEveryMs: 250,
};

/** A watch over a stand-in process: a clock, a heap size and a count of releases. */
function fixture() {
  const state = { now: 0, heap: 40 * MIB, releases: 0 };
  const meter = new ActivityMeter();
  const watch = new MemoryReleaseWatch(meter, policy, {
    now: () => state.now,
    heapTotal: () => state.heap,
    release: () => state.releases++,
  });
  /** Advances the clock in check steps, with activity on each step while `busy`. */
  const run = (ms: number, busy = false) => {
    for (let t = 0; t < ms; t += policy.checkEveryMs) {
      state.now += policy.checkEveryMs;
      if (busy) meter.note();
      watch.check();
    }
  };
  return { state, meter, watch, run };
}

Deno.test("memory release: once the server is quiet after the heap grew, not while busy", () => {
  const { state, run } = fixture();
  run(1_000);
  state.heap = 140 * MIB; // a burst promoted its garbage
  run(5_000, true);
  assert.equal(state.releases, 0, "never while requests or frames arrive");
  run(750);
  assert.equal(state.releases, 0, "not before a whole quiet second");
  run(500);
  assert.equal(state.releases, 1);
  run(30_000);
  assert.equal(state.releases, 1, "once per quiet period");
});

Deno.test("memory release: the heap must have grown since its low point", () => {
  const { state, run } = fixture();
  state.heap = 60 * MIB;
  run(2_000);
  state.heap = 60 * MIB + 31 * MIB;
  run(3_000);
  assert.equal(state.releases, 0, "31 MiB of growth is not worth a pause");
  state.heap = 60 * MIB + 33 * MIB;
  run(500);
  assert.equal(state.releases, 1);
});

Deno.test("memory release: the next quiet period after activity, at most once in the interval", () => {
  const { state, run, watch } = fixture();
  run(250); // low point: 40 MiB
  state.heap = 140 * MIB;
  run(1_000, true);
  run(1_250);
  assert.equal(state.releases, 1);
  state.heap = 45 * MIB; // the collection took effect
  run(250);
  state.heap = 120 * MIB;
  run(1_000, true);
  run(1_500);
  assert.equal(state.releases, 1, "within 10 s of the last one");
  run(7_000);
  assert.equal(state.releases, 2, "past the interval, in the same quiet period");
  assert.equal(watch.check(), undefined);
});

Deno.test("memory release: reports the heap that prompted it and its growth", () => {
  const { state, run, watch } = fixture();
  run(250); // low point: 40 MiB
  state.heap = 100 * MIB;
  run(250, true);
  let released;
  for (let i = 0; i < 8 && !released; i++) {
    state.now += policy.checkEveryMs;
    released = watch.check();
  }
  assert.deepEqual(released, { heapTotalBytes: 100 * MIB, growthBytes: 60 * MIB });
});

Deno.test("memory release: only with DENO_USR2_MEMORY_TRIM=1, which deno task start sets", async () => {
  const env = (value?: string) => ({ get: () => value });
  assert.equal(memoryReleaseAvailable(env("1"), "linux"), true);
  assert.equal(memoryReleaseAvailable(env(), "linux"), false);
  assert.equal(memoryReleaseAvailable(env("0"), "linux"), false);
  assert.equal(
    memoryReleaseAvailable(env("1"), "darwin"),
    false,
    "measured on Linux only (malloc_trim is glibc's)",
  );
  assert.equal(memoryReleaseAvailable(env("1"), "windows"), false, "no SIGUSR2 on Windows");
  assert.equal((await repositoryStartEnv()).DENO_USR2_MEMORY_TRIM, "1");
  assert.ok(MEMORY_RELEASE_POLICY.quietMs >= 1_000);
});

Deno.test("memory release: the runtime frees a burst's garbage when the watcher signals it", async () => {
  // A child process as `deno task start` runs it: garbage promoted by a burst, then quiet.
  const script = `
    import { ActivityMeter, MemoryReleaseWatch, releaseMemoryNow } from ${
    JSON.stringify(new URL("./memory_release.ts", import.meta.url).href)
  };
    const meter = new ActivityMeter();
    const watch = new MemoryReleaseWatch(meter, { quietMs: 200, minGrowthBytes: 32 * 1024 * 1024, minIntervalMs: 0, checkEveryMs: 50 }, {
      now: () => performance.now(), heapTotal: () => Deno.memoryUsage().heapTotal, release: releaseMemoryNow,
    });
    watch.check(); // started with the server, before any burst
    let keep = [];
    for (let round = 0; round < 40; round++) {
      meter.note();
      for (let i = 0; i < 20000; i++) keep.push({ text: "x".repeat(40) + i, pair: [i, i + 1] });
      await new Promise((r) => setTimeout(r, 5));
      watch.check();
      if (round % 8 === 7) keep = [];
    }
    keep = [];
    const before = Deno.memoryUsage().heapTotal;
    let released;
    for (let i = 0; i < 40 && !released; i++) {
      await new Promise((r) => setTimeout(r, 50));
      released = watch.check();
    }
    await new Promise((r) => setTimeout(r, 500));
    console.log(JSON.stringify({ before, released: Boolean(released), after: Deno.memoryUsage().heapTotal }));
  `;
  const { code, stdout, stderr } = await runScript(script, await repositoryStartEnv());
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
  assert.ok(result.before > 64 * MIB, `the burst left ${result.before / MIB} MiB`);
  assert.equal(result.released, true);
  assert.ok(result.after < result.before / 2, `${result.before / MIB} → ${result.after / MIB} MiB`);
});

/** Runs a script in a child `deno run` (read, run and env allowed) with `env` added. */
async function runScript(script: string, env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-run", "--allow-read", "--allow-env", "-"],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}

/** Just what the background work touches: its logger and the services it sets. */
function fakeDeps() {
  const logged: string[] = [];
  const deps = {
    logger: { debug: (event: string) => logged.push(event), info: () => {} },
    services: {},
  } as unknown as AppDeps;
  return { deps, logged };
}

Deno.test("memory release: without DENO_USR2_MEMORY_TRIM=1 the watcher does not start", async () => {
  const { deps, logged } = fakeDeps();
  const handle = await startMemoryRelease(deps, false);
  assert.equal(deps.services.activity, undefined, "no meter: nothing would ever be released");
  assert.deepEqual(logged, ["memory.release_off"]);
  await handle.stop();
});

Deno.test("memory release: off or on, a stray SIGUSR2 does not end the server", async () => {
  const script = `
    import { startMemoryRelease } from ${
    JSON.stringify(new URL("./memory_release.ts", import.meta.url).href)
  };
    const deps = { logger: { debug() {}, info() {} }, services: {} };
    const handle = await startMemoryRelease(deps, Deno.env.get("DENO_USR2_MEMORY_TRIM") === "1");
    Deno.kill(Deno.pid, "SIGUSR2");
    await new Promise((r) => setTimeout(r, 300));
    console.log("alive");
    await handle.stop();
  `;
  for (const trim of ["", "1"]) {
    // Unset, not empty, for the off case: the runtime may treat any value as set.
    const { code, stdout } = await runScript(script, trim ? { DENO_USR2_MEMORY_TRIM: trim } : {});
    assert.equal(code, 0, `DENO_USR2_MEMORY_TRIM=${trim}`);
    assert.equal(stdout.trim(), "alive");
  }
});

Deno.test("memory release: started, it counts activity; stopped, it lets go", async () => {
  const { deps, logged } = fakeDeps();
  const handle = await startMemoryRelease(deps, true);
  try {
    const meter = deps.services.activity;
    assert.ok(meter instanceof ActivityMeter);
    meter.note();
    meter.note();
    assert.equal(meter.count, 2);
    assert.deepEqual(logged, []);
  } finally {
    await handle.stop();
  }
  assert.equal(deps.services.activity, undefined);
});
