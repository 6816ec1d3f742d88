/**
 * Gives memory back when the server goes quiet after a burst (docs/self-hosting.md, "Memory").
 *
 * Deno does not run V8's memory reducer. When many phones connect at once, every request stays in
 * flight long enough for its garbage to be promoted to V8's old generation, and a quiet Deno
 * process keeps that garbage: measured, 160 MiB for 24 s and counting, where Node collects it
 * within 2 s. The next phase (the same phones' uploads) then grows the heap on top of it.
 *
 * Deno's own remedy is opt-in: a runtime started with `DENO_USR2_MEMORY_TRIM=1` answers SIGUSR2
 * with a full collection (V8's low-memory notification) and `malloc_trim(0)`. `deno task start`
 * sets the variable; this watcher signals its own process once per quiet period, when requests
 * and phone frames have stopped for {@link MemoryReleasePolicy.quietMs} and the heap has grown
 * by {@link MemoryReleasePolicy.minGrowthBytes} since its low point. A release is one pause of the
 * main thread (tens of milliseconds with a heap of ~150 MiB) at a moment nothing is waiting, and it
 * resets V8's heap sizing (the young generation back to its smallest), which the next burst pays
 * for while the heap grows again: at most one a minute (one every 10 s took ~0.1 off `GET
 * /v1/sessions/:id`'s ratio in the sessions bench, whose load stops for 2 s every 2 s).
 * Without the variable the watcher does not start: SIGUSR2 would end the process.
 */
import type { AppDeps } from "../deps.ts";
import type { BackgroundHandle } from "../background.ts";

/** When a release is worth its pause. */
export interface MemoryReleasePolicy {
  /** No request or phone frame for this long. */
  quietMs: number;
  /** The V8 heap has grown this much above its lowest size since the last release. */
  minGrowthBytes: number;
  /** At most one release in this span. */
  minIntervalMs: number;
  /** How often the watcher looks. */
  checkEveryMs: number;
}

/** The policy of `deno task start`. */
export const MEMORY_RELEASE_POLICY: MemoryReleasePolicy = {
  quietMs: 1_000,
  minGrowthBytes: 32 * 1024 * 1024,
  minIntervalMs: 60_000,
  checkEveryMs: 250,
};

/** Counts the server's activity: HTTP requests and phone frames. */
export class ActivityMeter {
  #count = 0;

  /** Something arrived. */
  note(): void {
    this.#count++;
  }

  /** How many arrivals so far. */
  get count(): number {
    return this.#count;
  }
}

/** What the watcher reads and does (the process in production, stand-ins in tests). */
export interface MemoryReleaseProbe {
  now(): number;
  /** V8's committed heap (`Deno.memoryUsage().heapTotal`). */
  heapTotal(): number;
  release(): void;
}

/** A release that happened: the heap size that prompted it. */
export interface MemoryReleased {
  heapTotalBytes: number;
  growthBytes: number;
}

/** Decides, each time it is asked, whether to release now. */
export class MemoryReleaseWatch {
  readonly #meter: ActivityMeter;
  readonly #policy: MemoryReleasePolicy;
  readonly #probe: MemoryReleaseProbe;
  #seen: number;
  #lastActive: number;
  #lastRelease = -Infinity;
  /** Lowest heap seen since the last release (the release takes effect after the signal). */
  #lowest = Infinity;
  /** False after a release until activity resumes: once per quiet period. */
  #armed = true;

  constructor(meter: ActivityMeter, policy: MemoryReleasePolicy, probe: MemoryReleaseProbe) {
    this.#meter = meter;
    this.#policy = policy;
    this.#probe = probe;
    this.#seen = meter.count;
    this.#lastActive = probe.now();
  }

  /** Looks once; releases and says so when the policy holds. */
  check(): MemoryReleased | undefined {
    const now = this.#probe.now();
    if (this.#meter.count !== this.#seen) {
      this.#seen = this.#meter.count;
      this.#lastActive = now;
      this.#armed = true;
    }
    const heap = this.#probe.heapTotal();
    this.#lowest = Math.min(this.#lowest, heap);
    const growth = heap - this.#lowest;
    if (
      !this.#armed ||
      now - this.#lastActive < this.#policy.quietMs ||
      growth < this.#policy.minGrowthBytes ||
      now - this.#lastRelease < this.#policy.minIntervalMs
    ) {
      return undefined;
    }
    this.#probe.release();
    this.#armed = false;
    this.#lastRelease = now;
    this.#lowest = Infinity;
    return { heapTotalBytes: heap, growthBytes: growth };
  }
}

/**
 * True when this runtime was started to answer SIGUSR2 with a collection and a trim: the variable
 * is `1`, on Linux (`malloc_trim` is glibc's and only Linux was measured; Windows has no SIGUSR2).
 */
export function memoryReleaseAvailable(
  env: { get(name: string): string | undefined },
  os: string = Deno.build.os,
): boolean {
  return env.get("DENO_USR2_MEMORY_TRIM") === "1" && os === "linux";
}

/** Asks the runtime for a full collection and a trim (needs `DENO_USR2_MEMORY_TRIM=1`). */
export function releaseMemoryNow(): void {
  Deno.kill(Deno.pid, "SIGUSR2");
}

const MIB = 1024 * 1024;

/**
 * Background work (`lib/platform.ts`): the watcher, when the runtime can release; `available` is
 * read from this process unless given.
 */
export function startMemoryRelease(
  deps: AppDeps,
  available: boolean = memoryReleaseAvailable(Deno.env),
): Promise<BackgroundHandle> {
  const policy = MEMORY_RELEASE_POLICY;
  // With or without the release: a stray SIGUSR2 must never take its default action (ending the
  // process). With the variable the runtime's own handler answers it; this listener does nothing.
  const keepAlive = () => {};
  const signals = Deno.build.os !== "windows";
  if (signals) Deno.addSignalListener("SIGUSR2", keepAlive);
  const letGo = () => {
    if (signals) Deno.removeSignalListener("SIGUSR2", keepAlive);
  };
  if (!available) {
    deps.logger.debug("memory.release_off", { reason: "not Linux with DENO_USR2_MEMORY_TRIM=1" });
    return Promise.resolve({
      stop: () => {
        letGo();
        return Promise.resolve();
      },
    });
  }
  const meter = new ActivityMeter();
  deps.services.activity = meter;
  const watch = new MemoryReleaseWatch(meter, policy, {
    now: () => performance.now(),
    heapTotal: () => Deno.memoryUsage().heapTotal,
    release: releaseMemoryNow,
  });
  const timer = setInterval(() => {
    const released = watch.check();
    if (released) {
      deps.logger.info("memory.released", {
        heap_total_mib: Math.round(released.heapTotalBytes / MIB),
        growth_mib: Math.round(released.growthBytes / MIB),
      });
    }
  }, policy.checkEveryMs);
  Deno.unrefTimer(timer);
  return Promise.resolve({
    stop() {
      clearInterval(timer);
      letGo();
      if (deps.services.activity === meter) deps.services.activity = undefined;
      return Promise.resolve();
    },
  });
}
