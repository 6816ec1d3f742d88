import assert from "node:assert/strict";
import { addCpuSpent, cpuPerItem, threadCpuMs } from "./thread_cpu.ts";

Deno.test("the main thread's CPU time grows by the work done on it", () => {
  const before = threadCpuMs();
  if (!before) return; // not Linux: nothing to read
  const started = performance.now();
  let x = 0;
  while (performance.now() - started < 150) x += Math.sqrt(x + 1);
  const spent = new Map<string, number>();
  addCpuSpent(spent, before, threadCpuMs());
  // 150 ms of busy wall time is well over 20 ms of this thread's CPU even beside a CPU hog (70 ms
  // seen); read from another thread's stat it would be ~0.
  assert.ok((spent.get("main") ?? 0) >= 20, `main thread: ${spent.get("main")} ms`);
  // Other threads of this process (other test files run beside this one) may have spent more.
  assert.match(cpuPerItem(spent, 10), /(^|, )main \d+\.\d\d(,|$)/);
  assert.ok(x > 0);
});

Deno.test("CPU per item: largest kind first, n/a without data", () => {
  const spent = new Map([["KV (SQLite)", 30], ["main", 90], ["other", 0]]);
  assert.equal(cpuPerItem(spent, 100), "main 0.90, KV (SQLite) 0.30");
  assert.equal(cpuPerItem(new Map(), 100), "n/a");
  const total = new Map<string, number>();
  addCpuSpent(total, null, spent);
  assert.equal(total.size, 0);
});
