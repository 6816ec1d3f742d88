/**
 * The product server of the benchmarks, started as `deno task start` starts it (`main.ts` in its
 * own process: background work on, info logging to a file, a KV file), with the configuration
 * given as environment variables.
 */
import { repositoryStartEnv } from "../tests/support/deno_tasks.ts";

/** A running server process. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Peak resident set size of the process so far (MiB, Linux). */
  peakRssMiB(): Promise<number>;
  stop(): Promise<void>;
}

/** The fixed server key of benchmark data (32 bytes of 7, as `testConfig`). */
export const BENCH_SERVER_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts `main.ts` on the KV file of `dir` and waits for `/healthz`. */
export async function startServerProcess(
  dir: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const port = freePort();
  const log = await Deno.open(`${dir}/server.log`, { write: true, create: true, append: true });
  const main = new URL("../main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
    args: [
      "run",
      "-A",
      "--unstable-kv",
      "--unstable-cron",
      ...(Deno.env.get("BENCH_CPU_PROF")
        ? ["--cpu-prof", `--cpu-prof-dir=${Deno.env.get("BENCH_CPU_PROF")}`]
        : []),
      main,
    ],
    env: {
      // The environment `deno task start` sets (the memory release).
      ...await repositoryStartEnv(),
      PORT: String(port),
      KAYLE_DATA_DIR: dir,
      KAYLE_KV_PATH: `${dir}/kayle.kv3`,
      KAYLE_SERVER_KEY: BENCH_SERVER_KEY,
      KAYLE_LOG_LEVEL: "info",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Logs go to a file, as a process manager would keep them.
  child.stdout.pipeTo(log.writable).catch(() => {});
  child.stderr.pipeTo(new WritableStream()).catch(() => {});
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0;; i++) {
    try {
      const res = await fetch(`${url}/healthz`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (i > 600) throw new Error("the server did not start within 60 s");
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    async peakRssMiB() {
      const status = await Deno.readTextFile(`/proc/${child.pid}/status`).catch(() => "");
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
      return kb / 1024;
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
