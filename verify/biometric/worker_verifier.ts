/**
 * The local verifier on a worker thread (`verifier_worker.ts`), the server's default: a face check
 * costs ~0.2 s of synchronous model work per image, which on the main thread would hold up every
 * other request of the instance for as long. Calls keep the {@link BiometricVerifier} contract
 * and fail closed: a worker that fails to load, crashes or is closed answers `inconclusive` /
 * `passed: false` with `verifier_unavailable`, and the next call starts a new worker.
 */
import type {
  BiometricVerifier,
  CheckLivenessInput,
  CompareFacesInput,
  FaceMatchResult,
  LivenessResult,
} from "./types.ts";
import { unavailableLiveness, unavailableMatch } from "./types.ts";
import type { VerifierRequest } from "./verifier_worker.ts";

/**
 * A verifier on its own thread. `close()` (server shutdown) takes no new call — those fail
 * closed — lets the checks already asked for finish, then ends the thread (a live worker would
 * keep the process running).
 */
export interface WorkerBiometricVerifier extends BiometricVerifier {
  close(): void;
}

type Answer = FaceMatchResult | LivenessResult;

interface Running {
  worker: Worker;
  /** Whether the models loaded; `loaded` holds the answer once it came. */
  ready: Promise<boolean>;
  loaded: boolean | undefined;
  pending: Map<number, (answer: Answer | null) => void>;
}

/**
 * Starts the worker and waits until its models are loaded; rejects when they cannot be (the
 * caller then treats the biometric step as unavailable, as with the in-process verifier).
 */
export async function createWorkerBiometricVerifier(
  options: { workerUrl?: URL } = {},
): Promise<WorkerBiometricVerifier> {
  // Another worker script speaking the same messages (tests stage failures with one).
  const workerUrl = options.workerUrl ?? new URL("./verifier_worker.ts", import.meta.url);
  let running: Running | null = null;
  let nextId = 1;
  let closed = false;

  const start = (): Running => {
    const worker = new Worker(workerUrl, { type: "module" });
    const pending = new Map<number, (answer: Answer | null) => void>();
    let settleReady: (ok: boolean) => void = () => {};
    const ready = new Promise<boolean>((resolve) => (settleReady = resolve));
    const self: Running = { worker, ready, loaded: undefined, pending };
    ready.then((ok) => (self.loaded = ok));
    // A failed worker fails what it held (closed), and the next call starts another.
    const fail = () => {
      settleReady(false);
      for (const answer of pending.values()) answer(null);
      pending.clear();
      worker.terminate();
      if (running === self) running = null;
    };
    worker.onmessage = (
      message: MessageEvent<{ ready?: boolean; id?: number; result?: Answer }>,
    ) => {
      const data = message.data;
      if (data.ready !== undefined) {
        settleReady(data.ready);
        if (!data.ready) fail();
        return;
      }
      const answer = pending.get(data.id!);
      pending.delete(data.id!);
      answer?.(data.result ?? null);
      if (closed && pending.size === 0) worker.terminate();
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail();
    };
    return self;
  };

  // Sent at once when the worker is up (so a call made before `close()` is answered), else once
  // its models have loaded.
  const call = (request: Omit<VerifierRequest, "id">): Promise<Answer | null> => {
    if (closed) return Promise.resolve(null);
    running ??= start();
    const current = running;
    const send = () =>
      new Promise<Answer | null>((resolve) => {
        if (running !== current) return resolve(null); // it failed meanwhile
        const id = nextId++;
        current.pending.set(id, resolve);
        current.worker.postMessage({ ...request, id } as VerifierRequest);
      });
    if (current.loaded) return send();
    return current.ready.then((ok) => ok && !closed ? send() : null);
  };

  running = start();
  if (!await running.ready) throw new Error("the face models could not be loaded in the worker");
  return {
    async compareFaces(input: CompareFacesInput): Promise<FaceMatchResult> {
      return (await call({ method: "compare", input }) as FaceMatchResult | null) ??
        unavailableMatch();
    },
    async checkLiveness(input: CheckLivenessInput): Promise<LivenessResult> {
      return (await call({ method: "liveness", input }) as LivenessResult | null) ??
        unavailableLiveness();
    },
    close() {
      closed = true;
      if (running && running.pending.size === 0) running.worker.terminate();
    },
  };
}
