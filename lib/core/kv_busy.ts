/**
 * Several processes on one KV file (docs/self-hosting.md): SQLite lets one writer in at a time,
 * and a commit whose transaction read first (any `check`) and then finds another process
 * writing fails at once with `TypeError: database is locked` instead of waiting. Nothing of
 * such a commit was written (SQLite rolls the transaction back), so trying the same operation
 * again is safe — checks included: a check that held then is re-checked, and a conflict still
 * answers `{ ok: false }` for the caller's own retry loop.
 *
 * `retryWhenBusy` wraps one `Deno.Kv` handle: every read, write, atomic commit and list page
 * that fails busy is tried again after a short random pause, for up to `KV_BUSY_BUDGET_MS`;
 * past that the error surfaces as `KvBusyError` (503 `SERVICE_UNAVAILABLE`, never a bare
 * TypeError). Other errors pass through untouched.
 */

/** How long one operation keeps retrying a busy database. */
export const KV_BUSY_BUDGET_MS = 10_000;

/** Raised when the database stayed busy for the whole budget. */
export class KvBusyError extends Error {
  constructor(cause: unknown) {
    super(`the KV database stayed locked by another process for ${KV_BUSY_BUDGET_MS} ms`, {
      cause,
    });
    this.name = "KvBusyError";
  }
}

/** True for SQLite's busy error as Deno KV reports it. */
export function isKvBusy(error: unknown): boolean {
  return error instanceof Error && /database is (locked|busy)/i.test(error.message);
}

const pause = (tries: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.min(50, 2 + tries * 2) * Math.random() + 1));

/** Runs `fn`, again while it fails busy, up to the budget. */
export async function whileBusy<T>(
  fn: () => Promise<T>,
  budgetMs = KV_BUSY_BUDGET_MS,
): Promise<T> {
  const started = Date.now();
  for (let tries = 0;; tries++) {
    try {
      return await fn();
    } catch (error) {
      if (!isKvBusy(error)) throw error;
      if (Date.now() - started > budgetMs) throw new KvBusyError(error);
      await pause(tries);
    }
  }
}

type Kv = Deno.Kv;
const WRAPPED = Symbol("kayle.kv.retryWhenBusy");

/** Makes `kv`'s operations retry while the database is busy (idempotent; returns `kv`). */
export function retryWhenBusy(kv: Kv): Kv {
  const marked = kv as Kv & { [WRAPPED]?: true };
  if (marked[WRAPPED]) return kv;
  marked[WRAPPED] = true;
  const get = kv.get.bind(kv);
  const getMany = kv.getMany.bind(kv);
  const set = kv.set.bind(kv);
  const del = kv.delete.bind(kv);
  const enqueue = kv.enqueue.bind(kv);
  const atomic = kv.atomic.bind(kv);
  const list = kv.list.bind(kv);
  Object.assign(kv, {
    get: (...args: Parameters<Kv["get"]>) => whileBusy(() => get(...args)),
    getMany: (...args: Parameters<Kv["getMany"]>) => whileBusy(() => getMany(...args)),
    set: (...args: Parameters<Kv["set"]>) => whileBusy(() => set(...args)),
    delete: (...args: Parameters<Kv["delete"]>) => whileBusy(() => del(...args)),
    enqueue: (...args: Parameters<Kv["enqueue"]>) => whileBusy(() => enqueue(...args)),
    atomic: () => {
      const op = atomic();
      const commit = op.commit.bind(op);
      // The operation keeps its checks, mutations and enqueues: committing it again is the
      // same transaction again.
      op.commit = () => whileBusy(commit);
      return op;
    },
    list: <T>(selector: Deno.KvListSelector, options: Deno.KvListOptions = {}) =>
      busyTolerantList<T>(list, selector, options),
  });
  return kv;
}

/**
 * A list that resumes from its cursor when a page read fails busy. It keeps the iterator's
 * `cursor` for callers that page by hand.
 */
function busyTolerantList<T>(
  list: Kv["list"],
  selector: Deno.KvListSelector,
  options: Deno.KvListOptions,
): Deno.KvListIterator<T> {
  let inner = list<T>(selector, options);
  let yielded = 0;
  const iterator = {
    get cursor() {
      return inner.cursor;
    },
    async next(): Promise<IteratorResult<Deno.KvEntry<T>, undefined>> {
      if (options.limit !== undefined && yielded >= options.limit) {
        return { done: true, value: undefined };
      }
      return await whileBusy(async () => {
        try {
          const result = await inner.next();
          if (!result.done) yielded++;
          return result;
        } catch (error) {
          if (isKvBusy(error)) {
            // Start again after the last entry handed out (the cursor names it), or from the
            // beginning when nothing was handed out yet.
            const cursor = yielded > 0 ? inner.cursor : options.cursor;
            const limit = options.limit === undefined ? undefined : options.limit - yielded;
            inner = list<T>(selector, { ...options, cursor, limit });
          }
          throw error;
        }
      });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator as unknown as Deno.KvListIterator<T>;
}
