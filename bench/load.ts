/**
 * The load generator of the HTTP benchmarks, run as its own process (`deno run --allow-net
 * bench/load.ts <spec JSON>`) so that it never shares an event loop with the server it measures.
 * It keeps `concurrency` requests in flight for `seconds` on loopback (bounded: one request per
 * worker at a time), rotating over `urls`, and prints one JSON line: requests per second, p50 and
 * p99 latency (ms), non-2xx answers and transport errors. Every response body is read.
 */

/** What to load. */
export interface LoadSpec {
  urls: string[];
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  concurrency: number;
  seconds: number;
}

/** What one run measured. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  requests: number;
}

/** Runs the generator in a child process and returns its result. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", new URL(import.meta.url).pathname, JSON.stringify(spec)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`load generator failed: ${new TextDecoder().decode(stderr)}`);
  const lines = new TextDecoder().decode(stdout).trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

async function main(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let next = 0;
  const end = performance.now() + spec.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const url = spec.urls[next++ % spec.urls.length];
      const t0 = performance.now();
      try {
        const res = await fetch(url, {
          method: spec.method,
          headers: spec.headers,
          body: spec.body,
        });
        await res.arrayBuffer();
        if (res.status < 200 || res.status > 299) non2xx++;
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies.length ? Math.round(latencies[Math.ceil(p * latencies.length) - 1] * 10) / 10 : NaN;
  return {
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    non2xx,
    errors,
    requests: latencies.length,
  };
}

if (import.meta.main) {
  console.log(JSON.stringify(await main(JSON.parse(Deno.args[0]) as LoadSpec)));
}
