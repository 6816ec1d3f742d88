/**
 * What a face check does to the instance's other requests: a loopback HTTP handler (the shape of
 * `GET /v1/sessions/:id`: parse, answer JSON) is called from the same process at c = 8 while face
 * compares run back to back — with the model in-process (on the main thread) and on its worker
 * thread (`verify/biometric/worker_verifier.ts`, the server's default) — beside the same calls with
 * no face check (the floor). Run alone:
 * `deno run -A bench/face_thread_bench.ts`.
 */
import { type BenchSection, median, percentile, round } from "./section.ts";
import { createLocalBiometricVerifier } from "../verify/biometric/local_verifier.ts";
import { createWorkerBiometricVerifier } from "../verify/biometric/worker_verifier.ts";
import type { BiometricVerifier } from "../verify/biometric/types.ts";
import { loadTestPortrait, loadTestSelfie } from "../verify/biometric/fixtures.ts";

const COMPARES = 6;
const CONCURRENCY = 8;

/** Calls the handler at c = 8 until `done` resolves; returns the latencies (ms). */
async function callWhile(url: string, done: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let finished = false;
  done.then(() => (finished = true));
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (!finished) {
      const started = performance.now();
      const res = await fetch(url);
      await res.json();
      latencies.push(performance.now() - started);
    }
  }));
  return latencies;
}

function row(what: string, latencies: number[], compares: number, ms: number) {
  return {
    case: what,
    requests: latencies.length,
    "p50 ms": round(median(latencies)),
    "p99 ms": round(percentile(latencies, 99)),
    "max ms": round(Math.max(...latencies)),
    "compares/s": compares ? round((compares / ms) * 1000) : "",
  };
}

/** Runs the comparison; see the module comment. */
export async function bench(): Promise<BenchSection> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      Response.json({ data: { id: new URL(request.url).pathname.slice(1) }, error: null }),
  );
  const url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/vs_bench`;
  const portrait = await loadTestPortrait();
  const selfie = await loadTestSelfie();
  const inProcess = await createLocalBiometricVerifier();
  const worker = await createWorkerBiometricVerifier();
  const compares = async (verifier: BiometricVerifier) => {
    for (let i = 0; i < COMPARES; i++) await verifier.compareFaces({ portrait, selfie });
  };
  try {
    // Warm-up: the models' first calls and the handler.
    await compares(inProcess);
    await compares(worker);
    await callWhile(url, new Promise((r) => setTimeout(r, 500)));
    const rows = [];
    for (
      const [what, verifier] of [["model on the main thread", inProcess], [
        "model on its worker thread (default)",
        worker,
      ]] as const
    ) {
      const started = performance.now();
      const done = compares(verifier);
      const latencies = await callWhile(url, done);
      const ms = performance.now() - started;
      rows.push(row(`requests during ${COMPARES} compares, ${what}`, latencies, COMPARES, ms));
      // The floor right after, for as long.
      const floor = await callWhile(url, new Promise((r) => setTimeout(r, ms)));
      rows.push(row("floor: the same requests, no face check", floor, 0, ms));
    }
    return {
      title: "Face checks and the instance's other requests (loopback handler, c = 8)",
      rows,
      notes: [
        "The handler and the load share the process with the verifier, as requests share a server instance with the face checks of its phones.",
        `Machine: ${navigator.hardwareConcurrency} logical CPUs, Deno ${Deno.version.deno}.`,
      ],
    };
  } finally {
    worker.close();
    await server.shutdown();
  }
}

if (import.meta.main) {
  const section = await bench();
  console.log(section.title);
  console.table(section.rows);
  for (const note of section.notes ?? []) console.log(`- ${note}`);
}
