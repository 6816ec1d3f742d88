/**
 * The OpenAPI 3.1 document of the public API at `GET /openapi.json`, generated from the same zod
 * schemas that validate requests, and the reference UI at `GET /reference`.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { AppDeps } from "../deps.ts";
import type { AppEnv } from "../framework/define.ts";

/** API version shown in the document. */
export const API_VERSION = "1.0.0";

/** Registers the document and the reference UI on the app. */
export function registerOpenApiDocument(app: OpenAPIHono<AppEnv>, deps: AppDeps): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An API key from the dashboard: `kk_live_…` or `kk_test_…`.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Kayle ID API",
      version: API_VERSION,
      description:
        "Privacy-first identity verification: sessions, the public verify surface and webhooks. " +
        "Every response is the `{data, error}` envelope.",
    },
    servers: [{ url: deps.config.publicUrl }],
    tags: [
      { name: "Sessions", description: "Verification sessions (API key)." },
      { name: "Verify", description: "The public verify surface, scoped by session id." },
      { name: "Webhooks", description: "Webhook endpoints, keys, events and deliveries." },
      { name: "Analytics", description: "Counts and trends." },
      { name: "Test helpers", description: "Test-mode only helpers." },
    ],
  });
  app.get(
    "/reference",
    async function referenceUi(c, next) {
      await next();
      // The reference UI needs its own script and inline configuration; loosen CSP here only.
      c.res.headers.set(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
          "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
      );
    },
    Scalar({
      url: "/openapi.json",
      pageTitle: "Kayle ID API reference",
      cdn: SCALAR_SCRIPT_PATH,
      // No font CDN: the reference works offline.
      withDefaultFonts: false,
      // Without the hosted service's buttons (Ask AI, Generate MCP, Deploy): they do nothing
      // on a self-hosted, offline server.
      showDeveloperTools: "never",
      agent: { disabled: true },
      mcp: { disabled: true },
    }),
  );
  app.get(SCALAR_SCRIPT_PATH, async function scalarScript(c) {
    const script = await readScalarScript();
    if (!script) return c.text("The reference UI script is missing from static/vendor/.", 503);
    return c.body(script, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=86400",
    });
  });
}

/** Where the reference UI's script is served (a vendored standalone build, no CDN). */
export const SCALAR_SCRIPT_PATH = "/reference/scalar.js";

// The standalone build of `@scalar/api-reference`, kept in the repository (static/vendor/README.md)
// so that the server does not install the package and its ~230 MB of dependencies.
const SCALAR_SCRIPT_FILE = new URL("../../static/vendor/scalar-api-reference.js", import.meta.url);
let scalarScript: Promise<Uint8Array<ArrayBuffer> | null> | null = null;

// Read once per process; null when the file is missing.
function readScalarScript(): Promise<Uint8Array<ArrayBuffer> | null> {
  scalarScript ??= Deno.readFile(SCALAR_SCRIPT_FILE).catch(() => null);
  return scalarScript;
}
