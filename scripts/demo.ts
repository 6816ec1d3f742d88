/**
 * `deno task demo [--scenario <name>]`: the quickstart, automated, against a running server
 * (`deno task start`; `KAYLE_URL`, default http://127.0.0.1:8787). Run it with the same
 * environment as the server (it opens the same KV to create an organization and a test key,
 * as `deno task admin` does). Every run reuses the one demo organization (slug `kayle-demo`):
 * it replaces the previous run's demo key and webhook endpoint instead of adding more. Then, over the public API: a webhook endpoint pointing at a local
 * receiver, an RSA key pair whose public half is registered, a session, the reference phone —
 * and the decrypted, signature-checked webhook with its claims is printed.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/core/config.ts";
import { createPlatform } from "../lib/platform.ts";
import { createLogger } from "../lib/core/logger.ts";
import { runAdmin } from "./admin.ts";
import { getOrganizationBySlug } from "../lib/accounts/organizations.ts";
import { deleteApiKey, listApiKeys } from "../lib/api_keys/api_keys.ts";
import {
  type EncryptionKeyPair,
  generateEncryptionKeyPair,
  receiveKayleWebhook,
} from "../webhooks/receiver.ts";
import { httpPhoneApi, type PhoneResult, runPhone } from "../phone/mod.ts";

/** What the demo did. */
export interface DemoResult {
  sessionId: string;
  phone: PhoneResult;
  /** Every decrypted webhook received, in arrival order. */
  events: Array<Record<string, unknown>>;
}

/** Options of {@link runDemo}. */
export interface DemoOptions {
  baseUrl: string;
  /** The server's environment (KV location, data dir, server key). */
  env: Record<string, string | undefined>;
  scenario?: string;
  log?: (line: string) => void;
  /** How long to wait for the session's terminal webhook. */
  waitMs?: number;
}

/** The one organization every demo run uses. */
export const DEMO_ORG_SLUG = "kayle-demo";

/** The name of the demo's API key and webhook endpoint (replaced on every run). */
export const DEMO_KEY_NAME = "demo";
export const DEMO_ENDPOINT_NAME = "Demo receiver";

/**
 * Makes (first run) or reuses the demo organization, replaces its demo test key and returns the
 * new key's secret (the admin commands, on the server's KV). The running server holds the same
 * SQLite file: a write that meets its lock ("database is locked") is retried, up to 10 times with
 * a growing pause; each round is idempotent (it reuses the organization, replaces the key).
 */
async function createOrgAndKey(env: DemoOptions["env"]): Promise<string> {
  for (let round = 1;; round++) {
    try {
      return await createOrgAndKeyOnce(env);
    } catch (error) {
      const locked = error instanceof Error && /database is locked/i.test(error.message);
      if (!locked || round === 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * round));
    }
  }
}

async function createOrgAndKeyOnce(env: DemoOptions["env"]): Promise<string> {
  const deps = (await createPlatform(loadConfig(env), {
    logger: createLogger({ level: "error" }),
    usageFlushMs: 0,
  })).deps;
  try {
    const slug = DEMO_ORG_SLUG;
    const existing = await getOrganizationBySlug(deps.kv, slug);
    if (existing) {
      for (const key of await listApiKeys(deps.kv, existing.id)) {
        if (key.name === DEMO_KEY_NAME) await deleteApiKey(deps.kv, existing.id, key.id);
      }
    } else {
      const suffix = crypto.randomUUID().slice(0, 8);
      await runAdmin(deps, [
        "create-org",
        "--name",
        "Kayle Demo",
        "--slug",
        slug,
        "--owner-email",
        `demo-${suffix}@example.test`,
        "--owner-password",
        crypto.randomUUID(),
      ]);
    }
    const key = JSON.parse(
      await runAdmin(deps, [
        "create-key",
        "--org",
        slug,
        "--name",
        DEMO_KEY_NAME,
        "--scopes",
        "sessions:write,webhooks:read,webhooks:write",
        "--mode",
        "test",
        "--json",
      ]),
    );
    return key.key as string;
  } finally {
    await deps.usage.close();
    deps.kv.close();
  }
}

function apiClient(baseUrl: string, secret: string) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const envelope = await response.json();
    if (!response.ok) {
      throw new Error(`${method} ${path}: ${envelope.error?.code}: ${envelope.error?.message}`);
    }
    return envelope.data as T;
  };
}

/** A local receiver that checks signatures and decrypts with the private key. */
function startReceiver(keys: EncryptionKeyPair, secret: () => string) {
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request) => {
      try {
        const event = await receiveKayleWebhook(request, {
          secret: secret(),
          privateKey: keys.privateKey,
        });
        events.push(event as unknown as Record<string, unknown>);
        for (const wake of waiters.splice(0)) wake();
        return new Response(null, { status: 204 });
      } catch {
        return new Response(null, { status: 400 });
      }
    },
  );
  const { port } = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}/webhooks/kayle`,
    events,
    waiters,
    stop: () => server.shutdown(),
  };
}

/** Runs the whole quickstart. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const secret = await createOrgAndKey(options.env);
  log(`organization ${DEMO_ORG_SLUG} with a fresh test API key`);
  const api = apiClient(options.baseUrl, secret);
  // The previous run's endpoint pointed at a receiver that is gone: remove it.
  const endpoints = await api<Array<{ id: string; name: string }>>(
    "GET",
    "/v1/webhooks/endpoints?limit=100",
  );
  for (const old of endpoints.filter((e) => e.name === DEMO_ENDPOINT_NAME)) {
    await api("DELETE", `/v1/webhooks/endpoints/${old.id}`);
  }
  const keys = await generateEncryptionKeyPair(2048);
  let signingSecret = "";
  const receiver = startReceiver(keys, () => signingSecret);
  try {
    const created = await api<{ endpoint: { id: string }; signing_secret: string }>(
      "POST",
      "/v1/webhooks/endpoints",
      {
        name: DEMO_ENDPOINT_NAME,
        url: receiver.url,
      },
    );
    signingSecret = created.signing_secret;
    const jwk = keys.publicJwk;
    await api("POST", `/v1/webhooks/endpoints/${created.endpoint.id}/keys`, {
      jwk: { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: "RSA-OAEP-256" },
    });
    log(`webhook endpoint ${created.endpoint.id} → ${receiver.url} (RSA key registered)`);
    const session = await api<{ id: string; verification_url: string }>("POST", "/v1/sessions", {
      share_fields: {
        given_names: { required: true, reason: "Greet you by name" },
        family_name: { required: true, reason: "Match your account" },
        age_over_18: { required: true, reason: "Adults only" },
        nationality_code: { required: false, reason: "Regional terms" },
      },
      webhook_endpoint_id: created.endpoint.id,
    });
    log(`session ${session.id}: ${session.verification_url}`);
    const phone = await runPhone({
      api: httpPhoneApi(options.baseUrl),
      sessionId: session.id,
      scenario: options.scenario,
      log,
    });
    log(`phone: attempt ${phone.status}${phone.failureCode ? ` (${phone.failureCode})` : ""}`);
    await waitForTerminalEvent(
      receiver,
      options.waitMs ?? 30_000,
      phone.sessionStatus !== "in_progress",
    );
    return { sessionId: session.id, phone, events: receiver.events };
  } finally {
    await receiver.stop();
  }
}

async function waitForTerminalEvent(
  receiver: ReturnType<typeof startReceiver>,
  waitMs: number,
  sessionEnded: boolean,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  const done = () =>
    receiver.events.some((e) =>
      String(e.type).startsWith(sessionEnded ? "verification.session." : "verification.attempt.")
    );
  while (!done() && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      receiver.waiters.push(resolve);
      setTimeout(resolve, 250);
    });
  }
  if (!done()) {
    throw new Error("No webhook arrived in time: is the server's delivery worker running?");
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { scenario: { type: "string", default: "success" } },
  });
  const baseUrl = (Deno.env.get("KAYLE_URL") ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
  try {
    const health = await fetch(`${baseUrl}/healthz`);
    await health.body?.cancel();
  } catch {
    console.error(
      `No Kayle ID server at ${baseUrl}: start one with \`deno task start\` (or set KAYLE_URL).`,
    );
    Deno.exit(1);
  }
  const result = await runDemo({
    baseUrl,
    env: Deno.env.toObject(),
    scenario: values.scenario,
    log: (l) => console.log(`• ${l}`),
  });
  for (const event of result.events) {
    console.log(`\nwebhook ${event.type} (signature verified, JWE decrypted):`);
    console.log(JSON.stringify(event, null, 2));
  }
}
