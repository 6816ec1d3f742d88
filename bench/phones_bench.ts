/**
 * 500 concurrent phones, each completing a test-mode verification against a real server in a
 * child process (its own memory, measured as peak RSS from /proc): verifications per minute and
 * p50/p99 duration (session creation → result). The 500-phone run uses an accept-all biometric
 * stub in the SERVER (the real face model costs ~0.6 s of CPU per verification); a second run
 * uses the real local face verifier for a subset. Everything else is real: HTTP, WebSocket,
 * consent, handoff, the document checks with the sandbox CSCA, completeAttempt and events.
 *
 *   deno run -A --unstable-kv --unstable-cron bench/phones_bench.ts   prints the section as JSON
 *   PHONES_BENCH_COUNT=500 PHONES_BENCH_REAL_COUNT=20 override the sizes; PHONES_BENCH_MEMORY_ROW=0
 *   skips the second 500-phone run under docs/self-hosting.md's memory setting
 */
import { repositoryStartEnv } from "../tests/support/deno_tasks.ts";
import { type BenchSection, percentile, round } from "./section.ts";
import { httpPhoneApi, runPhone } from "../phone/mod.ts";
import { memorySettingFlags, SELF_HOSTING_DOC } from "./memory_setting.ts";

const PHONES = Number(Deno.env.get("PHONES_BENCH_COUNT") ?? 500);
const REAL_PHONES = Number(Deno.env.get("PHONES_BENCH_REAL_COUNT") ?? 20);
const MEMORY_SETTING_ROW = Deno.env.get("PHONES_BENCH_MEMORY_ROW") !== "0";

interface ServerChild {
  url: string;
  secret: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServerChild(
  biometric: "stub" | "real",
  v8Flags?: string,
): Promise<ServerChild> {
  const child = new Deno.Command(Deno.execPath(), {
    // The environment `deno task start` sets (the memory release), and a setting's V8 flags.
    env: { ...await repositoryStartEnv(), ...(v8Flags ? { DENO_V8_FLAGS: v8Flags } : {}) },
    args: [
      "run",
      "-A",
      "--unstable-kv",
      "--unstable-cron",
      new URL(import.meta.url).pathname,
      "--serve",
      biometric,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  // Info log lines come first; the ready line carries the URL and secret. The rest is drained so
  // that logging never blocks the server on a full pipe.
  let buffer = "";
  let ready: { url: string; secret: string } | null = null;
  while (!ready) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the bench server exited before it was ready");
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.includes('"secret"')) ready = JSON.parse(line);
    }
  }
  (async () => {
    while (!(await reader.read().catch(() => ({ done: true }))).done) { /* drain */ }
  })();
  return {
    url: ready.url,
    secret: ready.secret,
    pid: child.pid,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}

async function peakRssMiB(pid: number): Promise<number | string> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1]);
    return Number.isFinite(kb) ? round(kb / 1024, 1) : "n/a";
  } catch {
    return "n/a";
  }
}

interface PhoneRun {
  ms: number;
  ok: boolean;
  /** Why it did not succeed: the result's status and failure code, or the error's message. */
  why?: string;
}

async function onePhone(server: ServerChild, index: number): Promise<PhoneRun> {
  const started = performance.now();
  const response = await fetch(`${server.url}/v1/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.secret}`, "content-type": "application/json" },
    body: "{}",
  });
  const { data } = await response.json();
  const result = await runPhone({
    api: httpPhoneApi(server.url),
    sessionId: data.id,
    deviceId: `bench-${index}`,
  });
  const ok = result.status === "succeeded";
  const why = ok ? undefined : `${result.status}:${result.failureCode ?? "-"}`;
  return { ms: performance.now() - started, ok, why };
}

/** "reason ×count" of the phones that did not succeed. */
function failureSummary(results: PhoneRun[]): string {
  const counts = new Map<string, number>();
  for (const r of results) if (!r.ok) counts.set(r.why ?? "?", (counts.get(r.why ?? "?") ?? 0) + 1);
  return [...counts].map(([why, n]) => `${why} ×${n}`).join(", ") || "none";
}

/** A server setting beside the defaults: its name and the V8 flags the server child runs with. */
interface ServerSetting {
  name: string;
  v8Flags: string;
}

async function runPhones(
  biometric: "stub" | "real",
  count: number,
  setting?: ServerSetting,
): Promise<Record<string, string | number>> {
  const server = await startServerChild(biometric, setting?.v8Flags);
  try {
    await onePhone(server, -1); // warm-up: JIT, the sandbox CSCA, the face model's first call
    const before = await peakRssMiB(server.pid);
    const started = performance.now();
    const results = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          onePhone(server, i).catch((error) => ({
            ms: NaN,
            ok: false,
            why: String(error?.message ?? error).slice(0, 60),
          })),
      ),
    );
    const wallMs = performance.now() - started;
    const durations = results.filter((r) => r.ok).map((r) => r.ms);
    const peak = await peakRssMiB(server.pid);
    const perPhone = typeof peak === "number" && typeof before === "number"
      ? round(((peak - before) * 1024) / count, 0)
      : "n/a";
    // The goal is the server as `deno task start` runs it; a setting's row shows the same
    // bound for comparison.
    const goal = biometric === "stub" && count >= 500;
    const run = biometric === "stub"
      ? `${count} phones, biometric STUB (accept-all)`
      : `${count} phones, real face model`;
    return {
      run: setting ? `${run}, ${setting.name}` : run,
      succeeded: `${durations.length}/${count}`,
      failures: failureSummary(results),
      "verifications/min": round((durations.length / wallMs) * 60_000, 0),
      "p50 ms": round(percentile(durations, 50), 0),
      "p99 ms": round(percentile(durations, 99), 0),
      "server peak RSS MiB": peak,
      "KiB per phone": perPhone,
      goal: goal ? `500 stub phones ≤ 400 MiB peak${setting ? " (for comparison)" : ""}` : "—",
      holds: goal ? (typeof peak === "number" && peak <= 400 ? "yes" : "NO") : "—",
    };
  } finally {
    await server.stop();
  }
}

/** The phones section of `deno task bench`. */
export async function bench(): Promise<BenchSection> {
  const rows = [await runPhones("stub", PHONES)];
  if (MEMORY_SETTING_ROW && !Deno.env.get("DENO_V8_FLAGS")) {
    const memory: ServerSetting = {
      name: "memory setting (docs/self-hosting.md)",
      v8Flags: memorySettingFlags(await Deno.readTextFile(SELF_HOSTING_DOC)),
    };
    rows.push(await runPhones("stub", PHONES, memory));
  }
  if (REAL_PHONES > 0) rows.push(await runPhones("real", REAL_PHONES));
  return {
    title: "Concurrent phones (test-mode verifications end to end)",
    rows,
    notes: [
      "Server in a child process; phones (HTTP + WebSocket clients, synthetic passports) in the bench process.",
      "Duration: POST /v1/sessions → details → consent → handoff → hello → uploads → AA/CA → selfie → result.",
      "The STUB row replaces only face match and liveness with an accept-all verifier in the server; " +
      "the real-model row shows their cost (CPU-bound, on the server's face worker thread).",
      "Rate limits and the per-address cap on sockets awaiting their hello are lifted in the " +
      "bench server: every phone shares one loopback address.",
      `V8 flags: ${Deno.env.get("DENO_V8_FLAGS") || "V8's defaults"} (DENO_V8_FLAGS, which the ` +
      "server child inherits), except in the memory setting's row: the flags " +
      'docs/self-hosting.md ("Memory") gives, for an instance sized by memory ' +
      "(PHONES_BENCH_MEMORY_ROW=0 skips it).",
      `Server environment from deno task start: ${JSON.stringify(await repositoryStartEnv())} ` +
      "(DENO_USR2_MEMORY_TRIM=1: the instance gives memory back when it goes quiet, " +
      "lib/core/memory_release.ts).",
      `Machine: ${navigator.hardwareConcurrency} cores, shared.`,
    ],
  };
}

/** The child: a real server on a temporary KV, with an org, a test key and the chosen verifier. */
async function serve(biometric: "stub" | "real"): Promise<void> {
  // Runs on the wired dependencies before the app and the background work: the verifier, no
  // rate limits, the org and key.
  const prepare = async (deps: import("../lib/deps.ts").AppDeps) => {
    if (biometric === "stub") {
      deps.services.biometric = Promise.resolve({
        compareFaces: () => Promise.resolve({ decision: "match" as const, reason: "face_match" }),
        checkLiveness: () => Promise.resolve({ passed: true, reason: "liveness_passed" as const }),
      });
    }
    deps.limiter = {
      hit: () => Promise.resolve({ allowed: true, remaining: 1, retryAfterSeconds: 0 }),
    };
    // Every phone connects from one loopback address: lift the per-address cap on sockets still
    // waiting for their hello (it would answer 429 past a few).
    const { installHandoffServices } = await import("../lib/handoff/services.ts");
    installHandoffServices(deps, { maxPendingSocketsPerAddress: 1_000_000 });
    const { createOrganization } = await import("../lib/accounts/organizations.ts");
    const { createUser } = await import("../lib/accounts/users.ts");
    const { createApiKey, SCOPES } = await import("../lib/api_keys/api_keys.ts");
    const user = await createUser(
      deps.kv,
      { email: "bench@example.test", passwordHash: "x" },
      deps.clock,
      deps.random,
    );
    const org = await createOrganization(
      deps.kv,
      { name: "Bench", slug: "bench", ownerId: user.id },
      deps.clock,
      deps.random,
    );
    const { secret } = await createApiKey(deps, {
      orgId: org.id,
      name: "bench",
      scopes: [...SCOPES],
      mode: "test",
      createdBy: null,
    });
    benchSecret = secret;
  };
  const { startServer } = await import("../main.ts");
  const { loadConfig } = await import("../lib/core/config.ts");
  const dataDir = await Deno.makeTempDir();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  // Info logging, as `deno task start` runs.
  const env = { KAYLE_DATA_DIR: dataDir, PORT: String(port), KAYLE_LOG_LEVEL: "info" };
  const server = await startServer(loadConfig(env), {}, { bundle: false, prepare });
  console.log(JSON.stringify({ url: server.url, secret: benchSecret }));
  Deno.addSignalListener("SIGTERM", async () => {
    await server.shutdown();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    Deno.exit(0);
  });
}

let benchSecret = "";

if (import.meta.main) {
  if (Deno.args[0] === "--serve") await serve(Deno.args[1] === "real" ? "real" : "stub");
  else console.log(JSON.stringify(await bench(), null, 2));
}
