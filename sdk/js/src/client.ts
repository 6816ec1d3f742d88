/**
 * The HTTP core of the SDK: authentication, the `{data, error}` envelope, typed errors, retries
 * with exponential backoff and `Retry-After`, and auto-pagination. Uses only `fetch`, so it runs
 * on Node 20+, Deno, Bun and edge runtimes.
 */
import { KayleApiError, KayleConnectionError } from "./errors.ts";
import { type OperationId, OPERATIONS, type Operations } from "./generated/types.ts";

/** Options of {@link KayleClient}. */
export interface ClientOptions {
  /** An API key: `kk_live_…` or `kk_test_…`. */
  apiKey: string;
  /** Your Kayle ID server, e.g. `https://id.example.com`. */
  baseUrl: string;
  /** Retries after a `429`, a `5xx` or a network error (default 2; 0 disables). */
  maxRetries?: number;
  /** First backoff delay in ms (default 500), doubled at each retry, with jitter. */
  retryBaseDelayMs?: number;
  /** Longest backoff delay in ms (default 8000). */
  retryMaxDelayMs?: number;
  /** A `Retry-After` longer than this (ms, default 60000) is not waited for: the error is thrown. */
  maxRetryAfterMs?: number;
  /** Per-request timeout in ms (default 60000). */
  timeoutMs?: number;
  /** Replaces the global `fetch` (tests, proxies). */
  fetch?: typeof fetch;
  /** Replaces the timer used between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Replaces `Math.random` for the jitter (tests). */
  random?: () => number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
}

/** Per-request options. */
export interface RequestOptions {
  /** Sent as `Idempotency-Key` (creating a session or an endpoint). */
  idempotencyKey?: string;
  /** Overrides the client's timeout. */
  timeoutMs?: number;
  /** Cancels the request. */
  signal?: AbortSignal;
}

/** One page of a list. */
export interface Page<T> {
  data: T[];
  hasMore: boolean;
  /** Pass as `starting_after` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** What an operation resolves to: its `data`, or a page of it for lists. */
export type Result<Id extends OperationId> = Operations[Id]["list"] extends true
  ? Page<Operations[Id]["data"]>
  : Operations[Id]["data"];

type Query = Record<string, string | number | boolean | undefined>;

/** What a call carries, from the operation's generated types. */
export interface CallInput {
  path?: Record<string, string>;
  query?: Query;
  body?: unknown;
}

/**
 * The answer of a list call: `await` it for the first page, or iterate it with `for await` to
 * walk every item of every page (the next page is fetched only when needed).
 */
export class ListResult<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  #first: Promise<Page<T>> | null = null;

  constructor(
    private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  ) {}

  #firstPage(): Promise<Page<T>> {
    return this.#first ??= this.fetchPage(undefined);
  }

  then<A = Page<T>, B = never>(
    onFulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  /** Every page, in order. */
  async *pages(): AsyncGenerator<Page<T>> {
    let page = await this.#firstPage();
    yield page;
    while (page.hasMore && page.nextCursor) {
      page = await this.fetchPage(page.nextCursor);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item of every page in an array (mind large lists). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}

/** POSTs that change nothing when repeated, so a lost answer may be retried. */
const REPEATABLE_POSTS = new Set<OperationId>([
  "cancelSession",
  "deactivateWebhookEncryptionKey",
  "reactivateWebhookEncryptionKey",
  "revealWebhookSigningSecret",
]);

/** `AbortSignal.any` (Node 20.3+), with a fallback for older runtimes. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Low-level client: one typed method, {@link KayleClient.call}, for every operation. */
export class KayleClient {
  readonly #options: Required<Omit<ClientOptions, "headers">> & { headers: Record<string, string> };

  constructor(options: ClientOptions) {
    if (!options?.apiKey) throw new TypeError("apiKey is required (kk_live_… or kk_test_…).");
    if (!options.baseUrl) throw new TypeError("baseUrl is required (your Kayle ID server's URL).");
    this.#options = {
      maxRetries: 2,
      retryBaseDelayMs: 500,
      retryMaxDelayMs: 8000,
      maxRetryAfterMs: 60_000,
      timeoutMs: 60_000,
      fetch: (...args) => globalThis.fetch(...args),
      sleep: defaultSleep,
      random: Math.random,
      ...options,
      headers: { ...(options.headers ?? {}) },
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
    };
  }

  /** Calls one operation and returns the `data` of its answer. */
  async call<Id extends OperationId>(
    id: Id,
    input: CallInput = {},
    options: RequestOptions = {},
  ): Promise<Result<Id>> {
    const operation = OPERATIONS[id];
    const url = this.#url(operation.path, input);
    const headers: Record<string, string> = {
      ...this.#options.headers,
      authorization: `Bearer ${this.#options.apiKey}`,
      accept: "application/json",
    };
    if (input.body !== undefined) headers["content-type"] = "application/json";
    if (options.idempotencyKey !== undefined) {
      if (!operation.idempotencyKey) {
        throw new TypeError(`${id} does not accept an Idempotency-Key.`);
      }
      headers["idempotency-key"] = options.idempotencyKey;
    }
    const retriable = operation.method !== "POST" || REPEATABLE_POSTS.has(id) ||
      options.idempotencyKey !== undefined;
    const body = input.body === undefined ? undefined : JSON.stringify(input.body);
    const response = await this.#send(operation.method, url, headers, body, retriable, options);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The body stopped coming (the timeout, the caller's signal, a dropped connection): the
      // request's fate is unknown, as for a failure before the headers.
      if (options.signal?.aborted) throw error;
      throw new KayleConnectionError(
        `${operation.method} ${operation.path}: the response body did not arrive: ` +
          `${(error as Error)?.message ?? error}`,
        { cause: error },
      );
    }
    let envelope:
      | { data?: unknown; pagination?: { has_more: boolean; next_cursor: string | null } }
      | null = null;
    try {
      envelope = JSON.parse(text);
    } catch {
      envelope = null;
    }
    if (response.status === 204) return undefined as never;
    if (!envelope || !("data" in envelope)) {
      throw new KayleApiError({
        status: response.status,
        code: "INVALID_RESPONSE",
        message: `${operation.method} ${operation.path} answered ${response.status} without JSON.`,
        requestId: response.headers.get("x-request-id"),
      });
    }
    if (operation.list) {
      return {
        data: envelope.data as unknown[],
        hasMore: envelope.pagination?.has_more ?? false,
        nextCursor: envelope.pagination?.next_cursor ?? null,
      } as never;
    }
    return envelope.data as never;
  }

  /** A list operation, awaitable for one page and async-iterable over every item. */
  list<Id extends OperationId>(
    id: Id,
    input: CallInput = {},
    options: RequestOptions = {},
  ): ListResult<Operations[Id]["data"]> {
    return new ListResult((cursor) =>
      this.call(id, {
        ...input,
        query: { ...input.query, ...(cursor ? { starting_after: cursor } : {}) },
      }, options) as Promise<Page<Operations[Id]["data"]>>
    );
  }

  #url(template: string, input: CallInput): string {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = input.path?.[name];
      if (typeof value !== "string" || value === "") {
        throw new TypeError(`Missing path parameter "${name}" for ${template}.`);
      }
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) search.set(key, String(value));
    }
    const qs = search.toString();
    return `${this.#options.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  async #send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    retriable: boolean,
    options: RequestOptions,
  ): Promise<Response> {
    const o = this.#options;
    for (let attempt = 0;; attempt++) {
      const retriesLeft = attempt < o.maxRetries;
      let response: Response;
      try {
        const timeout = AbortSignal.timeout(options.timeoutMs ?? o.timeoutMs);
        response = await o.fetch(url, {
          method,
          headers,
          body,
          signal: options.signal ? anySignal([options.signal, timeout]) : timeout,
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (retriable && retriesLeft) {
          await o.sleep(this.#backoff(attempt));
          continue;
        }
        throw new KayleConnectionError(
          `${method} ${new URL(url).pathname} failed: ${(error as Error)?.message ?? error}`,
          { cause: error },
        );
      }
      if (response.ok) return response;
      // A 429 was refused before any work was done: always safe to send again.
      const again = response.status === 429 || (response.status >= 500 && retriable);
      if (again && retriesLeft) {
        const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
        if (retryAfter === null || retryAfter <= o.maxRetryAfterMs) {
          await response.body?.cancel();
          await o.sleep(retryAfter ?? this.#backoff(attempt));
          continue;
        }
      }
      throw await apiErrorOf(response);
    }
  }

  /** `base · 2^attempt`, capped, with jitter in [50 %, 100 %]. */
  #backoff(attempt: number): number {
    const o = this.#options;
    const ceiling = Math.min(o.retryMaxDelayMs, o.retryBaseDelayMs * 2 ** attempt);
    return Math.round(ceiling * (0.5 + o.random() / 2));
  }
}

/** `Retry-After` in ms: seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function apiErrorOf(response: Response): Promise<KayleApiError> {
  const requestId = response.headers.get("x-request-id");
  const envelope = await response.json().catch(() => null) as
    | { error?: { code?: string; message?: string; hint?: string } }
    | null;
  const error = envelope?.error;
  return new KayleApiError({
    status: response.status,
    code: typeof error?.code === "string" ? error.code : `HTTP_${response.status}`,
    message: typeof error?.message === "string"
      ? error.message
      : `The server answered ${response.status} ${response.statusText}.`,
    requestId,
    hint: error?.hint,
  });
}
