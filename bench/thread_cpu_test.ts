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
  // 150 ms of busy wall time is at least ~50 ms of main-thread CPU even on a loaded machine.
  assert.ok((spent.get("main") ?? 0) >= 50, `main thread: ${spent.get("main")} ms`);
  assert.match(cpuPerItem(spent, 10), /^main \d+\.\d\d/);
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
