/**
 * File routing in Fresh's shape on Hono: turns the generated manifest (route modules keyed by
 * file path) into registered routes, folder middleware, nested layouts, a 404 page and OpenAPI
 * operations for API route files. (405 answers are hono's `methodNotAllowed`, in `lib/app.ts`.)
 */
import { OpenAPIHono, type RouteConfig, type z } from "@hono/zod-openapi";
import type { ComponentType } from "preact";
import type {
  ApiRoutes,
  AppContext,
  AppEnv,
  Handlers,
  LayoutProps,
  Method,
  PageProps,
  PageResult,
  RouteFileConfig,
  RouteOperation,
} from "./define.ts";
import { renderPage } from "./render.ts";
import { limitBody, MAX_BODY_BYTES } from "../http/body_limit.ts";
import { requireApiKey } from "../api_keys/middleware.ts";
import { apiErrorSchema, envelopeOf, listEnvelopeOf } from "../http/openapi_schemas.ts";
import type { MiddlewareHandler } from "hono";
import type { H } from "hono/types";

/** A route module as the manifest imports it. */
export interface RouteModule {
  /** Method handlers (route files) or a middleware function (`_middleware` files). */
  handler?: unknown;
  /** The page, layout or 404 component. */
  default?: unknown;
  /** API operations (OpenAPI). */
  api?: ApiRoutes;
  /** The file's options (its body limit). */
  config?: RouteFileConfig;
}

/** The generated manifest (`manifest.gen.ts`). */
export interface Manifest {
  routes: Record<string, RouteModule>;
  islands: Record<string, ComponentType<never>>;
}

/** A file's place in the URL space. */
export interface RouteFile {
  file: string;
  /** Hono pattern, e.g. `/organizations/:slug/api-keys` (route groups leave no segment). */
  pattern: string;
  /** `route`, or a special file kind. */
  kind: "route" | "middleware" | "layout" | "404";
  /**
   * The folder the file sits in, route groups included (`/(dashboard)/organizations/:slug`):
   * a middleware or layout applies to the files inside its folder.
   */
  folder: string;
  /** The top-level route group (`dashboard` for `routes/(dashboard)/…`), or null. */
  group: string | null;
}

const isGroup = (part: string) => /^\(.+\)$/.test(part);

/** Maps a manifest file path (`./routes/a/[id].tsx`) to its pattern and kind. */
export function routeFileOf(file: string): RouteFile {
  const relative = file.replace(/^\.\/routes\//, "").replace(/\.(tsx|ts)$/, "");
  const parts = relative.split("/");
  const name = parts.pop()!;
  const toSegment = (p: string) =>
    p.startsWith("[...") ? "*" : p.startsWith("[") ? `:${p.slice(1, -1)}` : p;
  const folder = "/" + parts.map(toSegment).join("/");
  const group = parts.length > 0 && isGroup(parts[0]) ? parts[0].slice(1, -1) : null;
  const urlParts = parts.filter((p) => !isGroup(p));
  const kinds: Record<string, RouteFile["kind"]> = {
    _middleware: "middleware",
    _layout: "layout",
    _404: "404",
  };
  if (kinds[name]) {
    return {
      file,
      pattern: "/" + urlParts.map(toSegment).join("/"),
      kind: kinds[name],
      folder,
      group,
    };
  }
  const segments = [...urlParts, ...(name === "index" ? [] : [name])].map(toSegment);
  return { file, pattern: "/" + segments.join("/"), kind: "route", folder, group };
}

// Static segments sort before parameters, parameters before wildcards, so `/v1/sessions/attempts`
// is matched before `/v1/sessions/:id`.
function specificity(pattern: string): string {
  return pattern.split("/").map((s) => (s === "*" ? "2" : s.startsWith(":") ? "1" : "0") + s)
    .join("/");
}

/**
 * Registers every route of the manifest on the app. The files of a top-level route group
 * (`routes/(dashboard)/`) are registered on a sub-app of their own, mounted with `app.route`; the
 * group's `_middleware` runs on its routes only (per route: a sub-app mounted at `/` would hand a
 * `use("*")` to every path of the app, the API's included). Groups must not share paths.
 */
export function registerManifest(app: OpenAPIHono<AppEnv>, manifest: Manifest): void {
  const files = Object.keys(manifest.routes).map(routeFileOf);
  const layouts = files.filter((f) => f.kind === "layout");
  const middlewares = files.filter((f) => f.kind === "middleware").sort(byDepth);
  const routes = files.filter((f) => f.kind === "route")
    .sort((a, b) => specificity(a.pattern).localeCompare(specificity(b.pattern)));
  const groups = new Map<string, OpenAPIHono<AppEnv>>();
  for (const route of routes) {
    const mod = manifest.routes[route.file];
    let target = app;
    if (route.group !== null) {
      target = groups.get(route.group) ?? new OpenAPIHono<AppEnv>();
      groups.set(route.group, target);
    }
    // As in Fresh, a folder's middleware and layouts apply to the files inside that folder. The
    // body limit comes first, before anything reads the body.
    const chain = [
      limitBody(mod.config?.maxBodyBytes ?? MAX_BODY_BYTES),
      ...middlewares.filter((m) => isWithin(route.folder, m.folder))
        .map((m) => manifest.routes[m.file].handler as MiddlewareHandler<AppEnv>),
    ];
    if (mod.api) registerApi(target, route.pattern, mod.api, chain);
    const pageLayouts = layouts.filter((l) => isWithin(route.folder, l.folder)).sort(byDepth)
      .map((l) => manifest.routes[l.file].default as ComponentType<LayoutProps>);
    registerPageRoute(target, route.pattern, mod, pageLayouts, chain);
  }
  for (const group of groups.values()) app.route("/", group);
}

function byDepth(a: RouteFile, b: RouteFile): number {
  return a.folder.split("/").length - b.folder.split("/").length;
}

function isWithin(routeFolder: string, folder: string): boolean {
  return folder === "/" || routeFolder === folder || routeFolder.startsWith(folder + "/");
}

function registerPageRoute(
  app: OpenAPIHono<AppEnv>,
  pattern: string,
  mod: RouteModule,
  layouts: ComponentType<LayoutProps>[],
  chain: MiddlewareHandler<AppEnv>[],
): void {
  const component = mod.default as ComponentType<PageProps<unknown>> | undefined;
  const handlers: Handlers<unknown> = { ...((mod.handler as Handlers<unknown>) ?? {}) };
  if (component && !handlers.GET) handlers.GET = () => ({ __page: true, data: undefined });
  for (
    const [method, fn] of Object.entries(handlers) as [Method, NonNullable<Handlers[Method]>][]
  ) {
    const handle = async (c: AppContext) => {
      const result = await fn(c);
      if (result instanceof Response) return result;
      if (!component) throw new Error(`${pattern} returned page data but has no page component`);
      return renderPage(c, component, layouts, result as PageResult<unknown>);
    };
    const handlers: H<AppEnv>[] = [...chain, handle];
    app.on(method, [pattern], ...handlers);
  }
}

/** What the validators hand the handler (the operation's own types come from its schemas). */
type ValidatedInput = { out: { json: unknown; query: unknown; param: unknown } };

/**
 * A body is required when the empty object does not pass its schema: the OpenAPI document says
 * `required: true` and a request without one is validated as `{}`, so it fails with 400
 * `BAD_REQUEST` naming the first missing field, like any other invalid body.
 */
export function bodyRequired(schema: z.ZodType): boolean {
  return !schema.safeParse({}).success;
}

function registerApi(
  app: OpenAPIHono<AppEnv>,
  pattern: string,
  api: ApiRoutes,
  chain: MiddlewareHandler<AppEnv>[],
): void {
  const path = pattern.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
  for (const [method, op] of Object.entries(api) as [Method, RouteOperation][]) {
    const body = op.body;
    const required = body !== undefined && bodyRequired(body);
    const route: RouteConfig = {
      method: method.toLowerCase() as Lowercase<Method>,
      path,
      summary: op.summary,
      description: op.description,
      tags: op.tags,
      operationId: op.operationId,
      security: op.scope === "public" ? [] : [{ bearerAuth: [] }],
      middleware: op.scope === "public" ? chain : [...chain, requireApiKey(op.scope)],
      request: {
        ...(op.params ? { params: op.params as z.ZodObject } : {}),
        ...(op.query ? { query: op.query as z.ZodObject } : {}),
        ...(op.headers ? { headers: op.headers } : {}),
        ...(body ? { body: { content: { "application/json": { schema: body } }, required } } : {}),
      },
      responses: responsesOf(op),
    };
    app.openapi<RouteConfig, ValidatedInput>(route, (c) =>
      op.handler(c, {
        // An optional body left out (no Content-Type: the media-type check refuses a body
        // without one) reads as `{}` through its schema, so its defaults apply.
        body: !body
          ? undefined
          : required || c.req.header("content-type") !== undefined
          ? c.req.valid("json")
          : body.parse({}),
        query: op.query ? c.req.valid("query") : undefined,
        params: op.params ? c.req.valid("param") : undefined,
      }));
  }
}

function responsesOf(op: RouteOperation) {
  const status = op.status ?? 200;
  const responses: RouteConfig["responses"] = {};
  responses[String(status)] = op.response === null ? { description: "Success, no content." } : {
    description: "Success.",
    content: {
      "application/json": {
        schema: op.list ? listEnvelopeOf(op.response) : envelopeOf(op.response),
      },
    },
  };
  const errors = [
    ...(op.errors ?? []),
    { status: 400, code: "BAD_REQUEST", when: "the request is malformed" },
    { status: 429, code: "RATE_LIMITED", when: "too many requests" },
    { status: 500, code: "INTERNAL_ERROR", when: "an unexpected error" },
    // KV kept locked by another process for the whole retry budget (lib/core/kv_busy.ts).
    { status: 503, code: "SERVICE_UNAVAILABLE", when: "the database is busy; retry (Retry-After)" },
    // Every route's body limit (lib/http/body_limit.ts), whether or not it takes a body.
    { status: 413, code: "PAYLOAD_TOO_LARGE", when: "the body is over the route's limit" },
    ...(op.scope === "public" ? [] : [
      { status: 401, code: "UNAUTHORIZED", when: "the API key is missing, invalid or disabled" },
      { status: 403, code: "FORBIDDEN", when: "the API key lacks the scope" },
    ]),
  ];
  const codesByStatus = new Map<string, string[]>();
  for (const error of errors) {
    const key = String(error.status);
    codesByStatus.set(key, [...codesByStatus.get(key) ?? [], `\`${error.code}\`: ${error.when}`]);
  }
  for (const [key, codes] of codesByStatus) {
    responses[key] = {
      description: codes.join("; "),
      content: { "application/json": { schema: apiErrorSchema } },
    };
  }
  return responses;
}
