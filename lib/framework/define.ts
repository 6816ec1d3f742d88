/**
 * Fresh-shaped `define` helpers: typed route handlers, pages, layouts, middleware and API
 * operations. They return their argument; they exist for type inference, as in Fresh 2.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { ComponentChildren, FunctionComponent } from "preact";
import type { z } from "zod";
import type { AppDeps } from "../deps.ts";
import type { ApiKeyRecord, KeyMode, Scope } from "../api_keys/api_keys.ts";
import type { DashboardAuth } from "../accounts/dashboard_sessions.ts";
import type { Organization, Role } from "../accounts/organizations.ts";

/** Per-request state (Hono typed Variables). */
export interface AppVariables {
  deps: AppDeps;
  requestId: string;
  /** Set by the dashboard session middleware when signed in. */
  auth?: DashboardAuth;
  /** Set by the API-key middleware on authenticated API calls. */
  apiKey?: ApiKeyRecord;
  /** The organization of a `/organizations/:slug` page and the user's role in it. */
  org?: Organization;
  role?: Role;
  /** The mode an organization page shows (the dashboard's test / live switch). */
  dashboardMode?: KeyMode;
  /** On organization pages: true while live mode trusts no CSCA (docs/trust-store.md). */
  liveTrustEmpty?: boolean;
  /** On organization pages: the signed-in user is the instance owner. */
  instanceOwner?: boolean;
  /** The client's address (socket, or the first forwarded hop behind a trusted proxy). */
  clientIp: string;
}

/** The Hono environment of this app. */
export type AppEnv = { Variables: AppVariables };

/** The request context every handler receives. */
export type AppContext = Context<AppEnv>;

/** What a page handler returns to render its page: data and optional status/headers. */
export interface PageResult<D> {
  readonly __page: true;
  data: D;
  status?: number;
  headers?: Record<string, string>;
  title?: string;
}

/** HTTP methods a route file may handle. */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A route file's `handler` export: one function per method. */
export type Handlers<D = unknown> = Partial<
  Record<Method, (c: AppContext) => Response | PageResult<D> | Promise<Response | PageResult<D>>>
>;

/** Props of a page component. */
export interface PageProps<D = unknown> {
  data: D;
  url: URL;
  params: Record<string, string>;
  state: AppVariables;
}

/** Props of a layout: the page inside it as children. */
export interface LayoutProps extends PageProps<unknown> {
  children: ComponentChildren;
  title?: string;
}

/** Tells a handler's page to render with `data`. */
export function page<D>(
  data: D,
  init: { status?: number; headers?: Record<string, string>; title?: string } = {},
): PageResult<D> {
  return { __page: true, data, ...init };
}

/** Input of an API operation after validation. */
export interface ApiInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
}

/** One API operation of a route file (becomes an OpenAPI operation). */
export interface ApiOperation<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
> {
  summary: string;
  description?: string;
  tags: string[];
  operationId: string;
  /** Required scope, or "public" for unauthenticated endpoints. */
  scope: Scope | "public";
  body?: B;
  query?: Q;
  params?: P;
  /** Documented (and validated) request headers, e.g. `Idempotency-Key`. */
  headers?: z.ZodObject;
  /** Schema of `data` in the success envelope (null for empty responses). */
  response: z.ZodType | null;
  /** Success status (default 200). */
  status?: 200 | 201 | 202 | 204;
  /** The response carries `pagination`. */
  list?: boolean;
  /** Error codes this operation can answer with, for the docs. */
  errors?: Array<{ status: number; code: string; when: string }>;
  /** Answers the validated request. (A method, so that an operation of any schemas is a `RouteOperation`.) */
  handler(
    c: AppContext,
    input: ApiInput<
      B extends z.ZodType ? z.infer<B> : undefined,
      Q extends z.ZodType ? z.infer<Q> : undefined,
      P extends z.ZodType ? z.infer<P> : undefined
    >,
  ): Promise<Response> | Response;
}

/** An operation as the router sees it: schemas of any type, validated input as `unknown`. */
export type RouteOperation = ApiOperation<
  z.ZodType | undefined,
  z.ZodType | undefined,
  z.ZodType | undefined
>;

/** A route file's `api` export: operations keyed by method. */
export type ApiRoutes = Partial<Record<Method, RouteOperation>>;

/** A route file's `config` export (as Fresh's `RouteConfig`). */
export interface RouteFileConfig {
  /** Largest request body of the file's routes (default `MAX_BODY_BYTES`, lib/http/body_limit.ts). */
  maxBodyBytes?: number;
}

/** Typed helpers for route files. */
export const define = {
  /** Route handlers keyed by method. */
  handlers<D = unknown>(handlers: Handlers<D>): Handlers<D> {
    return handlers;
  },
  /** A page component. */
  page<D = unknown>(component: FunctionComponent<PageProps<D>>): FunctionComponent<PageProps<D>> {
    return component;
  },
  /** A layout component. */
  layout(component: FunctionComponent<LayoutProps>): FunctionComponent<LayoutProps> {
    return component;
  },
  /** Middleware for a folder of routes. */
  middleware(fn: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
    return fn;
  },
  /** One API operation (keeps its body/query/params types for the handler). */
  operation<
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    P extends z.ZodType | undefined = undefined,
  >(op: ApiOperation<B, Q, P>): ApiOperation<B, Q, P> {
    return op;
  },
  /** The route file's options. */
  config(config: RouteFileConfig): RouteFileConfig {
    return config;
  },
  /** API operations keyed by method. */
  api(routes: ApiRoutes): ApiRoutes {
    return routes;
  },
};
