/**
 * Group commit (docs/performance.md "Webhooks"): a local KV file lets one write in at a time and
 * each commit pays its own sync, so many small commits made at once (a burst of webhook tries)
 * wait in line for the file. `GroupCommitter.atomic()` hands out operations that record their
 * checks and mutations; their commits are sent one batch at a time: the first alone at once
 * (no delay when the server is quiet), the ones that arrive meanwhile together in the next
 * batch, one KV commit for all of them.
 *
 * Each operation keeps its own atomicity: a batch commits only if every check of every member
 * holds; when one does not (or the batch breaks a KV limit), each member is committed again
 * alone and gets its own answer, so a conflict fails only the operation that conflicted. All
 * members of a batch that commits share its versionstamp. Two operations that touch the same key
 * (checked or written) never share a batch: in one commit both checks of one versionstamp would
 * hold, where one after the other the second fails — two claims of one record must not both win.
 * Counter mutations (`sum`, `min`, `max`) of one key may share a batch: they add up in any order.
 */

/** KV's limits on one atomic operation, kept with room to spare. */
const MAX_CHECKS = 100;
const MAX_MUTATIONS = 1000;
/** Operations per batch: keeps a batch far inside KV's 800 KiB of mutations per commit. */
const MAX_MEMBERS = 32;

type Step = (op: Deno.AtomicOperation) => void;
/** A `sum`, kept as data so that a batch can add up the sums of one key (see `#commitBatch`). */
interface Sum {
  key: Deno.KvKey;
  id: string;
  n: bigint;
}
type Op = Step | Sum;
type Result = Deno.KvCommitResult | Deno.KvCommitError;

interface Member {
  ops: Op[];
  checks: number;
  mutations: number;
  /** The keys it checks, sets or deletes (see {@link keyId}). */
  keys: string[];
  /** The keys it only counts on (`sum`, `min`, `max`). */
  counters: string[];
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** An atomic operation whose commit goes through a `GroupCommitter`. */
class BatchedOperation implements Deno.AtomicOperation {
  #steps: Op[] = [];
  #checks = 0;
  #mutations = 0;
  #keys: string[] = [];
  #counters: string[] = [];

  constructor(private readonly committer: GroupCommitter) {}

  check(...checks: Deno.AtomicCheck[]): this {
    this.#checks += checks.length;
    for (const c of checks) this.#keys.push(keyId(c.key));
    this.#steps.push((op) => op.check(...checks));
    return this;
  }
  mutate(...mutations: Deno.KvMutation[]): this {
    this.#mutations += mutations.length;
    for (const m of mutations) {
      (m.type === "sum" || m.type === "min" || m.type === "max" ? this.#counters : this.#keys)
        .push(keyId(m.key));
    }
    this.#steps.push((op) => op.mutate(...mutations));
    return this;
  }
  sum(key: Deno.KvKey, n: bigint): this {
    const id = keyId(key);
    this.#mutations++;
    this.#counters.push(id);
    this.#steps.push({ key, id, n });
    return this;
  }
  min(key: Deno.KvKey, n: bigint): this {
    return this.#mutation(key, (op) => op.min(key, n), true);
  }
  max(key: Deno.KvKey, n: bigint): this {
    return this.#mutation(key, (op) => op.max(key, n), true);
  }
  set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }): this {
    return this.#mutation(key, (op) => op.set(key, value, options));
  }
  delete(key: Deno.KvKey): this {
    return this.#mutation(key, (op) => op.delete(key));
  }
  enqueue(value: unknown, options?: Parameters<Deno.AtomicOperation["enqueue"]>[1]): this {
    return this.#mutation(null, (op) => op.enqueue(value, options));
  }
  commit(): Promise<Result> {
    // The commit is made from the committer's loop: a failure's stack is given the caller's
    // frames, so its log line says where the commit was asked for (lib/core/error_fields.ts).
    const caller = new Error();
    return this.committer.submit(
      this.#steps,
      this.#checks,
      this.#mutations,
      this.#keys,
      this.#counters,
    ).catch((error) => {
      throw withCallerFrames(error, caller);
    });
  }

  #mutation(key: Deno.KvKey | null, step: Step, counter = false): this {
    this.#mutations++;
    if (key) (counter ? this.#counters : this.#keys).push(keyId(key));
    this.#steps.push(step);
    return this;
  }
}

const THIS_FILE = import.meta.url;

/**
 * The error with the stack it would have had had the caller committed itself: its message and
 * the runtime's frames where it started (e.g. inside Deno's KV), then the caller's frames.
 */
function withCallerFrames(error: unknown, caller: Error): unknown {
  if (!(error instanceof Error) || typeof error.stack !== "string" || !caller.stack) return error;
  const isFrame = (line: string) => /^\s+at /.test(line);
  const lines = error.stack.split("\n");
  const head = lines.filter((line) => !isFrame(line));
  const firstProjectFrame = lines.findIndex((line) => isFrame(line) && line.includes("file://"));
  const runtime = lines.slice(0, firstProjectFrame < 0 ? lines.length : firstProjectFrame)
    .filter(isFrame);
  const callers = caller.stack.split("\n").filter((line) =>
    isFrame(line) && !line.includes(THIS_FILE)
  );
  try {
    error.stack = [...head, ...runtime, ...callers].join("\n");
  } catch {
    // a frozen error keeps its own stack
  }
  return error;
}

/** A key as a string, equal for equal keys (part types kept apart). */
function keyId(key: Deno.KvKey): string {
  return key.map((part) =>
    part instanceof Uint8Array
      ? `u:${Array.from(part).join(",")}`
      : `${typeof part}:${String(part)}`
  ).join("\u0000");
}

const shared = new WeakMap<Deno.Kv, GroupCommitter>();

/** The committer shared by every user of one KV handle (hot paths: session creation). */
export function groupCommitterOf(kv: Deno.Kv): GroupCommitter {
  let committer = shared.get(kv);
  if (!committer) {
    committer = new GroupCommitter(kv);
    shared.set(kv, committer);
  }
  return committer;
}

/** Batches the commits of the operations it hands out (one committer per KV handle and use). */
export class GroupCommitter {
  #queue: Member[] = [];
  #flushing = false;

  constructor(private readonly kv: Deno.Kv) {}

  /** A new operation; its `commit()` is batched with the others made meanwhile. */
  atomic(): Deno.AtomicOperation {
    return new BatchedOperation(this);
  }

  /** Queues one operation's steps; resolves with its own commit result. */
  submit(
    ops: Op[],
    checks: number,
    mutations: number,
    keys: string[],
    counters: string[] = [],
  ): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#queue.push({ ops, checks, mutations, keys, counters, resolve, reject });
      if (!this.#flushing) this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length) await this.#commitBatch(this.#takeBatch());
    } finally {
      this.#flushing = false;
    }
  }

  #takeBatch(): Member[] {
    const batch: Member[] = [];
    const keys = new Set<string>();
    const counters = new Set<string>();
    let checks = 0;
    let mutations = 0;
    while (this.#queue.length && batch.length < MAX_MEMBERS) {
      const next = this.#queue[0];
      const fits = checks + next.checks <= MAX_CHECKS &&
        mutations + next.mutations <= MAX_MUTATIONS && !next.keys.some((k) =>
          keys.has(k) || counters.has(k)
        ) &&
        !next.counters.some((k) => keys.has(k));
      if (batch.length && !fits) break;
      batch.push(this.#queue.shift()!);
      for (const k of next.keys) keys.add(k);
      for (const k of next.counters) counters.add(k);
      checks += next.checks;
      mutations += next.mutations;
    }
    return batch;
  }

  async #commitBatch(batch: Member[]): Promise<void> {
    if (batch.length > 1) {
      const op = this.kv.atomic();
      // The sums of one key add up into one mutation (KV pays per mutation): only counter keys
      // no member checks, sets or deletes (`#takeBatch`), so adding them last changes nothing.
      const sums = new Map<string, Sum>();
      for (const member of batch) {
        const own = new Set(member.keys);
        for (const step of member.ops) {
          if (typeof step === "function") step(op);
          else if (own.has(step.id)) op.sum(step.key, step.n);
          else {
            const total = sums.get(step.id);
            sums.set(step.id, { ...step, n: (total?.n ?? 0n) + step.n });
          }
        }
      }
      for (const { key, n } of sums.values()) op.sum(key, BigInt.asUintN(64, n));
      const result = await op.commit().catch(() => null);
      if (result?.ok) {
        for (const member of batch) member.resolve(result);
        return;
      }
    }
    // One member, or a batch that failed: each alone, with its own answer or error.
    await Promise.all(batch.map(async (member) => {
      try {
        const op = this.kv.atomic();
        for (const step of member.ops) {
          if (typeof step === "function") step(op);
          else op.sum(step.key, step.n);
        }
        member.resolve(await op.commit());
      } catch (error) {
        member.reject(error);
      }
    }));
  }
}
