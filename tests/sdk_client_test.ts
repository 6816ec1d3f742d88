/**
 * The SDK's HTTP core without a server: retries on 429 and 5xx with backoff and `Retry-After`
 * (injected fetch, sleep and jitter), which requests are never retried, and that the generated
 * types match the OpenAPI document the app serves today and cover every operation.
 */
import assert from "node:assert/strict";
import {
  Kayle,
  KayleApiError,
  KayleConnectionError,
  OPERATIONS,
  parseRetryAfter,
} from "../sdk/js/src/index.ts";
import {
  documentOfInProcessApp,
  formattedTypes,
  GENERATED_TYPES_FILE,
} from "../sdk/js/scripts/generate.ts";

const envelope = (data: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ data, error: null }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
const failure = (status: number, code: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ data: null, error: { code, message: `${code} message` } }), {
    status,
    headers: { "content-type": "application/json", "x-request-id": `req_${status}`, ...headers },
  });

function scripted(answers: Array<Response | Error>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const sleeps: number[] = [];
  const kayle = new Kayle({
    apiKey: "kk_test_x",
    baseUrl: "https://id.example.test/",
    maxRetries: 3,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 1000,
    random: () => 1,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    fetch: (input, init) => {
      calls.push({ url: String(input), init: init ?? {} });
      const next = answers.shift();
      if (!next) throw new Error("unexpected request");
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  });
  return { kayle, calls, sleeps };
}

Deno.test("sdk client: 429 honours Retry-After, 5xx backs off exponentially, then succeeds", async () => {
  const { kayle, calls, sleeps } = scripted([
    failure(429, "RATE_LIMITED", { "retry-after": "2" }),
    failure(503, "UNAVAILABLE"),
    failure(500, "INTERNAL_ERROR"),
    envelope({ id: "vs_1", status: "created" }),
  ]);
  const session = await kayle.sessions.get("vs_1");
  assert.equal(session.id, "vs_1");
  assert.deepEqual(sleeps, [2000, 200, 400], "Retry-After, then 100·2^1 and 100·2^2");
  assert.equal(calls.length, 4);
  assert.equal(calls[0].url, "https://id.example.test/v1/sessions/vs_1");
  const headers = new Headers(calls[0].init.headers);
  assert.equal(headers.get("authorization"), "Bearer kk_test_x");
});

Deno.test("sdk client: after the last retry the typed error is thrown", async () => {
  const { kayle, calls, sleeps } = scripted([
    failure(502, "BAD_GATEWAY"),
    failure(502, "BAD_GATEWAY"),
    failure(502, "BAD_GATEWAY"),
    failure(502, "BAD_GATEWAY"),
  ]);
  const error = await kayle.sessions.get("vs_1").then(() => null, (e) => e);
  assert.ok(error instanceof KayleApiError);
  assert.deepEqual(
    [error.status, error.code, error.message, error.requestId],
    [502, "BAD_GATEWAY", "BAD_GATEWAY message", "req_502"],
  );
  assert.equal(calls.length, 4);
  assert.deepEqual(sleeps, [100, 200, 400]);
});

Deno.test("sdk client: a create without Idempotency-Key is not retried on 5xx, with one it is", async () => {
  const plain = scripted([failure(500, "INTERNAL_ERROR")]);
  const error = await plain.kayle.sessions.create().then(() => null, (e) => e);
  assert.equal(error?.code, "INTERNAL_ERROR");
  assert.equal(plain.calls.length, 1, "a POST that may have created a session is not repeated");

  const keyed = scripted([failure(500, "INTERNAL_ERROR"), envelope({ id: "vs_2" })]);
  const session = await keyed.kayle.sessions.create({}, { idempotencyKey: "order-1" });
  assert.equal(session.id, "vs_2");
  assert.equal(keyed.calls.length, 2);
  for (const call of keyed.calls) {
    assert.equal(new Headers(call.init.headers).get("idempotency-key"), "order-1");
  }
  // A 429 is refused before any work, so even a plain create is sent again.
  const limited = scripted([failure(429, "RATE_LIMITED"), envelope({ id: "vs_3" })]);
  assert.equal((await limited.kayle.sessions.create()).id, "vs_3");
  assert.deepEqual(limited.sleeps, [100]);
});

Deno.test("sdk client: 4xx are not retried; a too long Retry-After is not waited for", async () => {
  const notFound = scripted([failure(404, "NOT_FOUND")]);
  assert.equal((await notFound.kayle.sessions.get("vs_x").catch((e) => e)).code, "NOT_FOUND");
  assert.equal(notFound.calls.length, 1);
  const long = scripted([failure(429, "RATE_LIMITED", { "retry-after": "3600" })]);
  const error = await long.kayle.sessions.get("vs_x").catch((e) => e);
  assert.equal(error.status, 429);
  assert.deepEqual(long.sleeps, []);
});

Deno.test("sdk client: network errors are retried for reads, then a connection error", async () => {
  const { kayle, calls } = scripted([
    new TypeError("connection refused"),
    new TypeError("connection refused"),
    new TypeError("connection refused"),
    new TypeError("connection refused"),
  ]);
  const error = await kayle.sessions.list().then(() => null, (e) => e);
  assert.ok(error instanceof KayleConnectionError, String(error));
  assert.match(error.message, /GET \/v1\/sessions failed: connection refused/);
  assert.equal(calls.length, 4);
});

Deno.test("sdk client: a body that stops coming is a connection error, not a 200", async () => {
  // Headers arrive; the body errors as a timeout would abort it mid-way.
  const stalled = new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"data":'));
        controller.error(new DOMException("The signal has been aborted", "TimeoutError"));
      },
    }),
    { status: 200, headers: { "content-type": "application/json" } },
  );
  const { kayle } = scripted([stalled]);
  const error = await kayle.sessions.get("vs_x").then(() => null, (e) => e);
  assert.ok(error instanceof KayleConnectionError, String(error));
  assert.match(error.message, /the response body did not arrive/);
});

Deno.test("sdk client: path parameters are escaped, query values encoded, pages followed", async () => {
  const pages = [
    {
      data: [{ id: "a" }, { id: "b" }],
      pagination: { limit: 2, has_more: true, next_cursor: "b" },
    },
    { data: [{ id: "c" }], pagination: { limit: 2, has_more: false, next_cursor: null } },
  ];
  const urls: string[] = [];
  const lister = new Kayle({
    apiKey: "kk_test_x",
    baseUrl: "https://id.example.test",
    fetch: (input) => {
      urls.push(String(input));
      return Promise.resolve(
        new Response(JSON.stringify({ ...pages.shift(), error: null }), { status: 200 }),
      );
    },
  });
  const ids = (await lister.deliveries.list({ limit: 2, status: "failed" }).toArray()).map((d) =>
    d.id
  );
  assert.deepEqual(ids, ["a", "b", "c"]);
  assert.deepEqual(urls.map((u) => new URL(u).search), [
    "?limit=2&status=failed",
    "?limit=2&status=failed&starting_after=b",
  ]);

  const { kayle, calls } = scripted([envelope({ id: "x" })]);
  await kayle.sessions.get("a/../b?c");
  assert.equal(new URL(calls[0].url).pathname, "/v1/sessions/a%2F..%2Fb%3Fc");
  await assert.rejects(() => kayle.sessions.get(""), /Missing path parameter "id"/);
  assert.throws(() => new Kayle({ apiKey: "", baseUrl: "x" }), /apiKey is required/);
});

Deno.test("sdk client: Retry-After in seconds or as an HTTP date", () => {
  assert.equal(parseRetryAfter("3"), 3000);
  assert.equal(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000);
  assert.equal(parseRetryAfter("soon"), null);
  assert.equal(parseRetryAfter(null), null);
});

Deno.test({
  name: "sdk client: the generated types match the served OpenAPI document (regenerate if not)",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const doc = await documentOfInProcessApp();
    const expected = await formattedTypes(doc);
    const committed = await Deno.readTextFile(GENERATED_TYPES_FILE);
    assert.ok(
      committed === expected,
      "sdk/js/src/generated/types.ts is out of date: run " +
        "`deno run -A --unstable-kv --unstable-cron sdk/js/scripts/generate.ts`",
    );
    // Every operation an integrator can call has a method on the client.
    const source = await Deno.readTextFile(new URL("../sdk/js/src/kayle.ts", import.meta.url));
    const missing = Object.keys(OPERATIONS).filter((id) => !source.includes(`"${id}"`));
    assert.deepEqual(missing, [], "operations without a method in sdk/js/src/kayle.ts");
    const served = Object.values(doc.paths as Record<string, Record<string, { tags?: string[] }>>)
      .flatMap((item) => Object.values(item))
      .filter((op) => !op.tags?.includes("Verify")).length;
    assert.equal(Object.keys(OPERATIONS).length, served);
  },
});

Deno.test("sdk client: a caller's abort ends the request without retrying", async () => {
  const controller = new AbortController();
  controller.abort(new Error("stopped by the caller"));
  let calls = 0;
  const kayle = new Kayle({
    apiKey: "kk_test_x",
    baseUrl: "https://id.example.test",
    sleep: () => Promise.resolve(),
    fetch: (_input, init) => {
      calls++;
      return Promise.reject(init?.signal?.aborted ? init.signal.reason : new Error("not aborted"));
    },
  });
  await assert.rejects(
    () => kayle.sessions.get("vs_1", undefined, { signal: controller.signal }),
    /stopped by the caller/,
  );
  assert.equal(calls, 1);
});
