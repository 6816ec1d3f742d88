/**
 * Builds the Hono app: global middleware (request id, dependencies, client address, security
 * headers, 405), the file routes (each with its body limit: `lib/http/body_limit.ts`) of the manifest, the OpenAPI document, static files, and
 * the one error handler that turns every failure into the `{data, error}` envelope.
 */
import { type Hook, OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { serveStatic } from "hono/deno";
import { getConnInfo } from "hono/deno";
import type { Context } from "hono";
import type { AppDeps } from "./deps.ts";
import type { AppEnv, PageProps } from "./framework/define.ts";
import type { ComponentType } from "preact";
import { type Manifest, registerManifest } from "./framework/router.ts";
import { registerIslands } from "./framework/islands.ts";
import { renderPage } from "./framework/render.ts";
import { ApiError } from "./http/errors.ts";
import { errorEnvelope } from "./http/envelope.ts";
import { randomAlphanumeric } from "./core/ids.ts";
import { clientAddress } from "./http/rate_limit.ts";
import { registerOpenApiDocument } from "./http/openapi_document.ts";
import { apiErrorOf } from "./http/error_table.ts";
import { errorFields } from "./core/error_fields.ts";
import { KvBusyError } from "./core/kv_busy.ts";
import { requestId } from "hono/request-id";
import { methodNotAllowed } from "hono/method-not-allowed";
import { registerAppAssociation } from "./handoff/app_association.ts";

/** Creates the app for the given dependencies and manifest. */
export function createApp(deps: AppDeps, manifest: Manifest): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  registerIslands(manifest.islands);
  // hono's request id: a caller's `X-Request-Id` (word characters, `-`, `=`; ≤ 64) or `req_…`.
  app.use(
    "*",
    requestId({ limitLength: 64, generator: () => `req_${randomAlphanumeric(24, deps.random)}` }),
  );
  app.use("*", async function requestContext(c, next) {
    deps.services.activity?.note();
    c.set("deps", deps);
    c.set("clientIp", remoteAddress(c, deps));
    await next();
  });
  app.use("*", securityHeaders(deps));
  // hono's 405: a path some route matches with another method answers `Allow` (GET implies HEAD).
  app.use(
    "*",
    methodNotAllowed({
      app,
      onMethodNotAllowed: (_c, methods) => {
        const allowed = methods.join(", ");
        throw new ApiError(405, "METHOD_NOT_ALLOWED", `This path accepts ${allowed}.`, {
          headers: { Allow: allowed },
        });
      },
    }),
  );
  app.use("/static/*", async function staticCache(c, next) {
    await next();
    if (!c.res.ok) return;
    // A content-hashed bundle never changes under its name; everything else is revalidated.
    const hashed = /^\/static\/build\/islands\.[0-9a-f]{16}\.js$/.test(c.req.path);
    c.header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  });
  app.use("/static/*", serveStatic({ root: "./" }));
  registerOpenApiDocument(app, deps);
  registerAppAssociation(app, deps.config.app);
  registerManifest(app, manifest);
  const notFoundPage = Object.entries(manifest.routes).find(([f]) => f.endsWith("/_404.tsx"))?.[1]
    ?.default as ComponentType<PageProps<unknown>> | undefined;
  app.notFound((c) => {
    if (wantsHtml(c) && notFoundPage) {
      return renderPage(c as Context<AppEnv>, notFoundPage, [], {
        __page: true,
        data: undefined,
        status: 404,
        title: "Not found",
      });
    }
    return c.json(
      errorEnvelope(new ApiError(404, "NOT_FOUND", "No route matches this path.")),
      404,
    );
  });
  app.onError((error, c) => errorResponse(error, c as Context<AppEnv>, deps));
  return app;
}

function remoteAddress(c: Context, deps: AppDeps): string {
  let remote: string | undefined;
  try {
    remote = getConnInfo(c).remote.address;
  } catch {
    remote = undefined; // app.request() in tests has no socket
  }
  return clientAddress(c.req.raw.headers, remote, deps.config.trustProxy);
}

function wantsHtml(c: Context): boolean {
  const path = new URL(c.req.url).pathname;
  if (path.startsWith("/v1/") || path === "/v1") return false;
  return (c.req.header("accept") ?? "").includes("text/html");
}

function securityHeaders(deps: AppDeps) {
  const https = deps.config.publicUrl.startsWith("https://");
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "same-origin",
    strictTransportSecurity: https ? "max-age=63072000; includeSubDomains" : false,
    crossOriginResourcePolicy: "same-origin",
    // A route that sets its own policy (the API reference UI) keeps it.
    overwrite: false,
  });
}

// Validation failures name the field (docs/api.md: the message names the field).
const validationHook: Hook<unknown, AppEnv, string, void> = (result) => {
  if (result.success) return;
  const issue = result.error.issues[0];
  const field = issue?.path?.length ? issue.path.join(".") : result.target;
  throw new ApiError(400, "BAD_REQUEST", `Invalid ${field}: ${issue?.message ?? "malformed"}.`);
};

function errorResponse(error: Error, c: Context<AppEnv>, deps: AppDeps): Response {
  let apiError: ApiError;
  const coded = apiErrorOf(error);
  if (error instanceof ApiError) {
    apiError = error;
  } else if (coded) {
    apiError = coded;
  } else if (error instanceof HTTPException && error.status < 500) {
    const status = error.status === 415 ? 400 : error.status;
    const message = error.status === 415
      ? "Content-Type must be application/json."
      : error.message || "The request could not be read.";
    apiError = new ApiError(
      status as 400,
      status === 400 ? "BAD_REQUEST" : "INVALID_REQUEST",
      message,
    );
  } else {
    deps.logger.error("request.failed", {
      request_id: c.get("requestId"),
      ...errorFields(error),
      path: new URL(c.req.url).pathname.replace(/[a-z]+_[a-z0-9]{20,}/g, ":id"),
    });
    apiError = error instanceof KvBusyError
      // Another process kept the shared KV file locked for the whole retry budget (kv_busy.ts).
      ? new ApiError(503, "SERVICE_UNAVAILABLE", "The database is busy; retry in a moment.", {
        headers: { "Retry-After": "1" },
      })
      : new ApiError(500, "INTERNAL_ERROR", "Something went wrong on our side; retry later.");
  }
  const response = c.json(errorEnvelope(apiError), apiError.status);
  for (const [k, v] of Object.entries(apiError.options.headers ?? {})) response.headers.set(k, v);
  response.headers.set("X-Request-Id", c.get("requestId") ?? "");
  return response;
}
