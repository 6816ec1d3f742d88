/**
 * The OpenAPI 3.1 document (docs/api.md): valid against the OpenAPI 3.1 schema, lint-clean under
 * Redocly's `recommended` rules, describing every sessions, verify and analytics operation with
 * its error codes; the response validator of `tests/support/openapi.ts` really rejects bodies
 * that break the schema; the reference UI is served with its script from our own origin.
 */
import assert from "node:assert/strict";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";
import { lintDocument, validateDocument, validateResponse } from "./support/openapi.ts";

Deno.test("GET /openapi.json is a valid OpenAPI 3.1 document and lints clean", async () => {
  const t = await createTestApp();
  try {
    const response = await t.app.request("/openapi.json");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /application\/json/);
    const doc = await response.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(await validateDocument(doc), []);
    // The project has not chosen a license yet; every other recommended rule applies.
    const problems = (await lintDocument(doc)).filter((p) => !p.includes("info-license"));
    assert.deepEqual(problems, []);
  } finally {
    await t.close();
  }
});

Deno.test("the document describes every sessions, verify and analytics operation with its codes", async () => {
  const t = await createTestApp();
  try {
    const doc = await (await t.app.request("/openapi.json")).json();
    const expected: Array<[string, string, string, string[]]> = [
      ["/v1/sessions", "post", "createSession", [
        "INVALID_SHARE_FIELDS",
        "UNKNOWN_CLAIM_KEY",
        "INVALID_AGE_GATE_KEY",
        "MULTIPLE_AGE_GATES_NOT_ALLOWED",
        "REASON_REQUIRED",
        "REASON_TOO_LONG",
        "TOO_MANY_SHARE_FIELDS",
        "INVALID_REDIRECT_URL",
        "CONFLICT",
        "FORBIDDEN",
        "UNAUTHORIZED",
        "RATE_LIMITED",
      ]],
      ["/v1/sessions", "get", "listSessions", ["INVALID_REQUEST"]],
      ["/v1/sessions/{id}", "get", "getSession", ["NOT_FOUND"]],
      ["/v1/sessions/{id}/cancel", "post", "cancelSession", ["NOT_FOUND"]],
      ["/v1/sessions/attempts", "get", "listAttempts", ["INVALID_REQUEST"]],
      ["/v1/analytics/sessions/overview", "get", "getSessionsOverview", ["FORBIDDEN"]],
      ["/v1/verify/session/{id}/details", "get", "getPublicSessionDetails", [
        "NOT_FOUND",
        "RATE_LIMITED",
      ]],
      ["/v1/verify/session/{id}/status", "get", "getPublicSessionStatus", [
        "NOT_FOUND",
        "RATE_LIMITED",
      ]],
      ["/v1/verify/session/{id}/consent", "post", "recordConsent", [
        "CONSENT_REQUIRED_FIELD_MISSING",
        "CONSENT_FIELD_NOT_REQUESTED",
        "SESSION_IN_PROGRESS",
        "SESSION_EXPIRED",
      ]],
      ["/v1/verify/session/{id}/cancel", "post", "cancelSessionWithToken", [
        "CANCEL_TOKEN_INVALID",
        "CANCEL_TOKEN_USED",
      ]],
    ];
    for (const [path, method, operationId, codes] of expected) {
      const operation = doc.paths[path]?.[method];
      assert.ok(operation, `${method} ${path} is documented`);
      assert.equal(operation.operationId, operationId);
      const described = JSON.stringify(operation.responses);
      for (const code of codes) {
        assert.ok(described.includes(code), `${operationId} documents ${code}`);
      }
    }
    assert.ok(doc.components.schemas.VerificationSession);
    assert.deepEqual(doc.paths["/v1/verify/session/{id}/status"].get.security, []);
  } finally {
    await t.close();
  }
});

Deno.test("the response validator rejects undocumented statuses and bodies that break the schema", async () => {
  const t = await createTestApp();
  try {
    const json = (body: unknown, status: number) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      });
    const path = "/v1/verify/session/vs_x/status";
    await assert.rejects(
      validateResponse(t.app, "GET", path, json({ data: { status: "created" }, error: null }, 200)),
      /does not match/,
    );
    await assert.rejects(
      validateResponse(t.app, "GET", path, json({ data: null, error: null }, 418)),
      /not documented/,
    );
    await assert.rejects(
      validateResponse(t.app, "GET", path, json({ data: null, error: { message: "x" } }, 404)),
      /does not match/,
    );
    await validateResponse(
      t.app,
      "GET",
      path,
      json({ data: null, error: { code: "NOT_FOUND", message: "No such session." } }, 404),
    );
    await assert.rejects(
      validateResponse(
        t.app,
        "POST",
        "/v1/verify/session/vs_x/cancel",
        new Response(null, { status: 200 }),
      ),
      /not documented/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("a body over the limit and a busy database are documented answers of every operation", async () => {
  const t = await createTestApp();
  try {
    const { org } = await seedOrganization(t.deps);
    const { secret } = await seedApiKey(t.deps, org.id);
    for (const path of ["/v1/sessions", "/v1/webhooks/endpoints"]) {
      const response = await t.app.request(path, {
        method: "POST",
        headers: { ...bearer(secret), "content-type": "application/json" },
        body: JSON.stringify({ padding: "x".repeat(300 * 1024) }),
      });
      assert.equal(response.status, 413, path);
      await validateResponse(t.app, "POST", path, response);
    }
    const doc = await (await t.app.request("/openapi.json")).json();
    for (const [path, item] of Object.entries<Record<string, { responses: object }>>(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const status of ["413", "503"]) {
          assert.ok(status in operation.responses, `${method} ${path} documents ${status}`);
        }
      }
    }
  } finally {
    await t.close();
  }
});

Deno.test("GET /reference serves the reference UI with its script from this server, no CDN", async () => {
  const t = await createTestApp();
  try {
    const page = await t.app.request("/reference");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    assert.ok(html.includes('src="/reference/scalar.js"'));
    assert.equal(
      /https?:\/\/(?!127\.0\.0\.1)/.test(html.replace(/https?:\/\/127\.0\.0\.1:8787/g, "")),
      false,
      "no external URL",
    );
    const script = await t.app.request("/reference/scalar.js");
    assert.equal(script.status, 200);
    assert.match(script.headers.get("content-type") ?? "", /javascript/);
    assert.ok((await script.arrayBuffer()).byteLength > 100_000);
  } finally {
    await t.close();
  }
});
