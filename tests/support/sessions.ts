/**
 * Shared set-up of the sessions and public verify tests: a test app with an organization, an
 * API key, a client that validates every response against `/openapi.json`, and helpers to
 * create sessions and read their events.
 */
import assert from "node:assert/strict";
import { bearer, createTestApp, seedApiKey, seedOrganization, type TestApp } from "./app.ts";
import { type CheckedClient, checkedClient } from "./openapi.ts";
import type { Scope } from "../../lib/api_keys/api_keys.ts";
import type { Config } from "../../lib/core/config.ts";
import { listSessionEvents } from "../../lib/events/events.ts";

/** A ready test world. */
export interface SessionsWorld extends TestApp {
  orgId: string;
  secret: string;
  auth: Record<string, string>;
  request: CheckedClient;
  /** The owner's sign-in, for dashboard pages. */
  ownerEmail: string;
  ownerPassword: string;
}

/** Builds the world (one organization, a key with every scope unless told). */
export async function sessionsWorld(
  options: { scopes?: Scope[]; mode?: "live" | "test"; config?: Partial<Config> } = {},
): Promise<SessionsWorld> {
  const t = await createTestApp(options.config);
  const { org, email, password } = await seedOrganization(t.deps);
  const { secret } = await seedApiKey(t.deps, org.id, {
    scopes: options.scopes,
    mode: options.mode,
  });
  return {
    ...t,
    orgId: org.id,
    secret,
    auth: bearer(secret),
    request: checkedClient(t.app),
    ownerEmail: email,
    ownerPassword: password,
  };
}

/** JSON request headers with the world's key. */
export function jsonHeaders(
  world: SessionsWorld,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...world.auth, "content-type": "application/json", ...extra };
}

/** POSTs a JSON body. */
export async function postJson(
  world: SessionsWorld,
  path: string,
  body: unknown,
  headers: Record<string, string> = jsonHeaders(world),
): Promise<Response> {
  return await world.request(path, { method: "POST", headers, body: JSON.stringify(body) });
}

/** Creates a session over the API and returns its object (asserting 200). */
// deno-lint-ignore no-explicit-any
export async function createSessionViaApi(world: SessionsWorld, body: unknown = {}): Promise<any> {
  const response = await postJson(world, "/v1/sessions", body);
  assert.equal(response.status, 200);
  return (await response.json()).data;
}

/** Asserts an error response: status, JSON, code. Returns the error object. */
export async function assertError(
  response: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string }> {
  assert.equal(response.status, status, `expected ${status} ${code}`);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const body = await response.json();
  assert.equal(body.data, null);
  assert.equal(body.error.code, code, body.error.message);
  return body.error;
}

/** Types of a session's events, oldest first. */
export async function eventTypes(world: SessionsWorld, sessionId: string): Promise<string[]> {
  return (await listSessionEvents(world.deps.kv, sessionId)).map((e) => e.type);
}
