/**
 * CPU time of this process's threads, by kind, from `/proc/self/task` (Linux): where a benchmark's
 * time goes between the main thread, the KV store's thread, the blocking pool and V8's helpers.
 */

/** What each of Deno's thread names does (the calling JS thread is "main", whatever its name). */
const THREAD_KINDS: Readonly<Record<string, string>> = {
  "sw-0": "KV (SQLite)",
  "tokio-runtime-w": "blocking pool",
  "V8 DefaultWorke": "V8 (GC, compiler)",
};

/** Clock ticks per second of `/proc/…/stat` times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds so far by thread kind; null where `/proc/self/task` cannot be read. */
export function threadCpuMs(): Map<string, number> | null {
  const byKind = new Map<string, number>();
  try {
    // The thread running this code (a sync op runs on it): "<pid>/task/<tid>".
    const self = Deno.readLinkSync("/proc/thread-self").split("/").pop();
    for (const task of Deno.readDirSync("/proc/self/task")) {
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/self/task/${task.name}/stat`);
      } catch {
        continue; // the thread ended meanwhile
      }
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      // Fields after the name: state is the 3rd field of stat, utime and stime the 14th and 15th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      const kind = task.name === self ? "main" : THREAD_KINDS[name] ?? "other";
      byKind.set(kind, (byKind.get(kind) ?? 0) + (ticks * 1000) / TICKS_PER_SECOND);
    }
  } catch {
    return null;
  }
  return byKind;
}

/** Adds `after − before` of each kind into `total`. */
export function addCpuSpent(
  total: Map<string, number>,
  before: Map<string, number> | null,
  after: Map<string, number> | null,
): void {
  if (!before || !after) return;
  for (const [kind, ms] of after) {
    total.set(kind, (total.get(kind) ?? 0) + ms - (before.get(kind) ?? 0));
  }
}

/** "main 0.91, KV (SQLite) 0.58, …" in ms per item, largest first; "n/a" without data. */
export function cpuPerItem(total: Map<string, number>, items: number): string {
  if (total.size === 0 || items === 0) return "n/a";
  return [...total].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1])
    .map(([kind, ms]) => `${kind} ${(ms / items).toFixed(2)}`).join(", ");
}
