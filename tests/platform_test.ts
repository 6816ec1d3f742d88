/**
 * The platform's HTTP conventions: envelope on every JSON response (404, 405, 413, 500,
 * validation), request ids, security headers, health, and the file router's mapping.
 */
import assert from "node:assert/strict";
import { z } from "@hono/zod-openapi";
import { createTestApp } from "./support/app.ts";
import { createApp } from "../lib/app.ts";
import { MAX_BODY_BYTES } from "../lib/http/body_limit.ts";
import { define } from "../lib/framework/define.ts";
import { routeFileOf } from "../lib/framework/router.ts";
import { generateManifest } from "../lib/framework/manifest.ts";
import { ok } from "../lib/http/envelope.ts";
import { manifest } from "../manifest.gen.ts";

Deno.test("unknown API routes answer 404 NOT_FOUND in the envelope with a request id", async () => {
  const t = await createTestApp();
  const res = await t.app.request("/v1/nothing-here");
  assert.equal(res.status, 404);
  assert.match(res.headers.get("content-type")!, /application\/json/);
  assert.deepEqual(await res.json(), {
    data: null,
    error: { code: "NOT_FOUND", message: "No route matches this path." },
  });
  assert.match(res.headers.get("x-request-id")!, /^req_[a-z0-9]{24}$/);
  const html = await t.app.request("/nothing-here", { headers: { accept: "text/html" } });
  assert.equal(html.status, 404);
  assert.match(await html.text(), /Page not found/);
  await t.close();
});

Deno.test("a wrong method answers 405 with Allow", async () => {
  const t = await createTestApp();
  const res = await t.app.request("/healthz", { method: "DELETE" });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "GET, HEAD");
  assert.equal((await res.json()).error.code, "METHOD_NOT_ALLOWED");
  // A page that takes forms, asked by a browser: still the envelope, not the 404 page.
  const page = await t.app.request("/sign-in", {
    method: "DELETE",
    headers: { accept: "text/html" },
  });
  assert.equal(page.status, 405);
  assert.equal(page.headers.get("allow"), "GET, HEAD, POST");
  assert.ok(page.headers.get("x-request-id")?.startsWith("req_"));
  assert.equal((await page.json()).error.code, "METHOD_NOT_ALLOWED");
  // A path with a parameter.
  const param = await t.app.request("/v1/sessions/vs_x", { method: "PUT" });
  assert.equal(param.status, 405);
  assert.equal((await param.json()).error.code, "METHOD_NOT_ALLOWED");
  await t.close();
});

Deno.test("security headers: CSP without inline scripts, no framing, nosniff, referrer policy", async () => {
  const t = await createTestApp();
  const res = await t.app.request("/sign-in");
  const csp = res.headers.get("content-security-policy")!;
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "same-origin");
  assert.equal(res.headers.get("strict-transport-security"), null, "no HSTS on http");
  await t.close();
  const https = await createTestApp({ publicUrl: "https://id.example.com" });
  assert.match(
    (await https.app.request("/sign-in")).headers.get("strict-transport-security")!,
    /max-age=/,
  );
  await https.close();
});

Deno.test("healthz reports KV reachable", async () => {
  const t = await createTestApp();
  const res = await t.app.request("/healthz");
  assert.equal(res.status, 200);
  assert.equal((await res.json()).data.kv, "reachable");
  t.deps.kv.close();
  const down = await t.app.request("/healthz");
  assert.equal(down.status, 503);
  assert.equal((await down.json()).error.code, "KV_UNREACHABLE");
});

Deno.test("validation, 413 and 500 all use the envelope; 500 hides internals", async () => {
  const t = await createTestApp();
  const routes = {
    ...manifest.routes,
    "./routes/v1/echo.ts": {
      api: define.api({
        POST: define.operation({
          summary: "echo",
          tags: ["Test"],
          operationId: "echo",
          scope: "public",
          body: z.object({ name: z.string().min(1) }),
          response: z.object({ name: z.string() }),
          handler: (c, { body }) => ok(c, { name: body.name }),
        }),
      }),
    },
    "./routes/boom.ts": {
      handler: define.handlers({
        GET() {
          throw new Error("secret internal detail");
        },
      }),
    },
  };
  const app = createApp(t.deps, { routes, islands: manifest.islands });
  const valid = await app.request("/v1/echo", {
    method: "POST",
    body: JSON.stringify({ name: "x" }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(valid.status, 200);
  assert.deepEqual(await valid.json(), { data: { name: "x" }, error: null });
  const invalid = await app.request("/v1/echo", {
    method: "POST",
    body: JSON.stringify({ name: 3 }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(invalid.status, 400);
  const invalidBody = await invalid.json();
  assert.equal(invalidBody.error.code, "BAD_REQUEST");
  assert.match(invalidBody.error.message, /name/);
  const malformed = await app.request("/v1/echo", {
    method: "POST",
    body: "{nope",
    headers: { "content-type": "application/json" },
  });
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).error.code, "BAD_REQUEST");
  const tooBig = await app.request("/v1/echo", {
    method: "POST",
    body: JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES) }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(tooBig.status, 413);
  assert.equal((await tooBig.json()).error.code, "PAYLOAD_TOO_LARGE");
  const boom = await app.request("/boom");
  assert.equal(boom.status, 500);
  const text = await boom.text();
  assert.equal(JSON.parse(text).error.code, "INTERNAL_ERROR");
  assert.doesNotMatch(text, /secret internal detail/);
  await t.close();
});

Deno.test("a body is required when {} fails its schema: documented so, refused when left out", async () => {
  const t = await createTestApp();
  const operation = (operationId: string, body: z.ZodType) =>
    define.operation({
      summary: operationId,
      tags: ["Test"],
      operationId,
      scope: "public",
      body,
      response: z.object({ got: z.unknown() }),
      handler: (c, { body }) => ok(c, { got: body }),
    });
  const routes = {
    ...manifest.routes,
    "./routes/v1/needs.ts": {
      api: define.api({ POST: operation("needs", z.object({ name: z.string() }).strict()) }),
    },
    "./routes/v1/optional.ts": {
      api: define.api({
        POST: operation("optional", z.object({ kind: z.string().default("plain") }).strict()),
      }),
    },
  };
  const app = createApp(t.deps, { routes, islands: manifest.islands });
  const doc = await (await app.request("/openapi.json")).json();
  assert.equal(doc.paths["/v1/needs"].post.requestBody.required, true);
  assert.equal(doc.paths["/v1/optional"].post.requestBody.required, false);
  const missing = await app.request("/v1/needs", { method: "POST" });
  assert.equal(missing.status, 400);
  assert.deepEqual((await missing.json()).error, {
    code: "BAD_REQUEST",
    message: "Invalid name: Invalid input: expected string, received undefined.",
  });
  // Left out, an optional body reads as {} through its schema: its defaults apply.
  const omitted = await app.request("/v1/optional", { method: "POST" });
  assert.deepEqual((await omitted.json()).data, { got: { kind: "plain" } });
  const sent = await app.request("/v1/optional", {
    method: "POST",
    body: JSON.stringify({ kind: "x" }),
    headers: { "content-type": "application/json" },
  });
  assert.deepEqual((await sent.json()).data, { got: { kind: "x" } });
  // A real operation: the short link's resolve reached its handler without a token before.
  const resolve = await t.app.request("/v1/verify/handoff/resolve", { method: "POST" });
  assert.equal(resolve.status, 400);
  assert.match((await resolve.json()).error.message, /^Invalid token: /);
  await t.close();
});

Deno.test("body limits are per route: 256 KiB, unless the route file's config raises it", async () => {
  const t = await createTestApp();
  const post = (path: string) =>
    t.app.request(path, {
      method: "POST",
      body: `file=${"x".repeat(MAX_BODY_BYTES + 1)}`,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "same-origin",
      },
    });
  const signIn = await post("/sign-in");
  assert.equal(signIn.status, 413);
  assert.equal((await signIn.json()).error.code, "PAYLOAD_TOO_LARGE");
  // The trust store's upload takes a master list: the body passes, the page wants a signed-in owner.
  const upload = await post("/trust-store");
  assert.equal(upload.status, 303);
  assert.match(upload.headers.get("location")!, /^\/sign-in\?next=/);
  await t.close();
});

Deno.test("file routes map like Fresh: index, [param], _middleware, _layout, _404, groups", () => {
  assert.deepEqual(routeFileOf("./routes/index.tsx"), {
    file: "./routes/index.tsx",
    pattern: "/",
    kind: "route",
    folder: "/",
    group: null,
  });
  assert.equal(
    routeFileOf("./routes/organizations/[slug]/api-keys.tsx").pattern,
    "/organizations/:slug/api-keys",
  );
  assert.equal(
    routeFileOf("./routes/organizations/[slug]/index.tsx").pattern,
    "/organizations/:slug",
  );
  assert.deepEqual(routeFileOf("./routes/(dashboard)/a/[id].tsx"), {
    file: "./routes/(dashboard)/a/[id].tsx",
    pattern: "/a/:id",
    kind: "route",
    folder: "/(dashboard)/a",
    group: "dashboard",
  });
  const groupMiddleware = routeFileOf("./routes/(dashboard)/_middleware.ts");
  assert.equal(groupMiddleware.folder, "/(dashboard)");
  assert.equal(groupMiddleware.pattern, "/");
  assert.equal(routeFileOf("./routes/files/[...rest].ts").pattern, "/files/*");
  const mw = routeFileOf("./routes/organizations/[slug]/_middleware.ts");
  assert.equal(mw.kind, "middleware");
  assert.equal(mw.folder, "/organizations/:slug");
  assert.equal(routeFileOf("./routes/_layout.tsx").kind, "layout");
  assert.equal(routeFileOf("./routes/_404.tsx").kind, "404");
});

Deno.test("the committed manifest matches the files on disk (run `deno task manifest`)", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const generated = await generateManifest(root);
  assert.equal(await Deno.readTextFile(`${root}/manifest.gen.ts`), generated.server);
  assert.equal(await Deno.readTextFile(`${root}/islands.client.gen.ts`), generated.client);
});

Deno.test("start: a busy port and a bad configuration each stop with a clear message and exit 2", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const dir = await Deno.makeTempDir();
  const main = new URL("../main.ts", import.meta.url).pathname;
  const run = async (env: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-kv", "--unstable-cron", main],
      env: { KAYLE_DATA_DIR: dir, KAYLE_LOG_LEVEL: "error", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  try {
    const busy = await run({ PORT: String(port) });
    assert.equal(busy.code, 2);
    assert.match(busy.stderr, /already in use: stop the other server or set PORT/);
    const bad = await run({ PORT: "eighty", KAYLE_JOB_BACKEND: "rabbitmq" });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid configuration/);
    assert.match(bad.stderr, /KAYLE_JOB_BACKEND must be kv_queue or kv_table/);
  } finally {
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});
