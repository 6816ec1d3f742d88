/**
 * Fixture of the verify-page browser tests: a real server on a random loopback port with a
 * clock that follows real time but can jump forward (to expire sessions), an organization with
 * live and test API keys, sessions created through the real API, and an axe-core check run in
 * the page.
 */
import assert from "node:assert/strict";
import type { Page } from "npm:playwright-core@1.65.1";
import type AxeApi from "npm:axe-core@4.14.1";
import { freePort } from "./browser.ts";
import { type RunningServer, startServer } from "../../main.ts";
import { loadConfig } from "../../lib/core/config.ts";
import { openKv } from "../../lib/core/kv.ts";
import { createPlatform } from "../../lib/platform.ts";
import type { AppDeps } from "../../lib/deps.ts";
import type { Clock } from "../../lib/core/clock.ts";
import { silentLogger } from "../../lib/core/logger.ts";
import { createUser } from "../../lib/accounts/users.ts";
import { createOrganization } from "../../lib/accounts/organizations.ts";
import { createApiKey, SCOPES } from "../../lib/api_keys/api_keys.ts";

/** Real time plus an offset the test moves forward. */
export class JumpingClock implements Clock {
  offsetMs = 0;
  /** Now, shifted. */
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Jumps forward. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** A created session as the API returned it. */
export interface CreatedSession {
  id: string;
  verification_url: string;
  cancel_token: string;
  mode: string;
}

/** The running fixture. */
export interface VerifyFixture {
  server: RunningServer;
  deps: AppDeps;
  clock: JumpingClock;
  orgName: string;
  createSession(mode: "live" | "test", body?: Record<string, unknown>): Promise<CreatedSession>;
  consent(sessionId: string, keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The organization name every fixture session shows. */
export const FIXTURE_ORG_NAME = "Acme Travel";

/** Starts the server and seeds an organization with a live and a test key. */
export async function startVerifyFixture(): Promise<VerifyFixture> {
  const dir = await Deno.makeTempDir();
  const config = loadConfig({
    KAYLE_DATA_DIR: dir,
    PORT: String(freePort()),
    KAYLE_LOG_LEVEL: "error",
  });
  const kv = await openKv(config.kvPath);
  const clock = new JumpingClock();
  const deps =
    (await createPlatform(config, { kv, clock, logger: silentLogger, usageFlushMs: 0 })).deps;
  const user = await createUser(
    kv,
    { email: "owner@example.test", passwordHash: "x" },
    clock,
    deps.random,
  );
  const org = await createOrganization(
    kv,
    { name: FIXTURE_ORG_NAME, slug: "acme-travel", ownerId: user.id },
    clock,
    deps.random,
  );
  const keys = {
    live: (await createApiKey(deps, {
      orgId: org.id,
      name: "live",
      scopes: [...SCOPES],
      mode: "live",
      createdBy: null,
    })).secret,
    test: (await createApiKey(deps, {
      orgId: org.id,
      name: "test",
      scopes: [...SCOPES],
      mode: "test",
      createdBy: null,
    })).secret,
  };
  const server = await startServer(config, { kv, clock, logger: silentLogger }, {
    background: false,
  });
  const api = async (path: string, init: RequestInit & { key?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set("content-type", "application/json");
    if (init.key) headers.set("authorization", `Bearer ${init.key}`);
    const response = await fetch(`${server.url}${path}`, { ...init, headers });
    const body = await response.json();
    assert.ok(response.ok, `${path}: ${response.status} ${JSON.stringify(body.error)}`);
    return body.data;
  };
  return {
    server,
    deps,
    clock,
    orgName: FIXTURE_ORG_NAME,
    async createSession(mode, body = {}) {
      return await api("/v1/sessions", {
        method: "POST",
        key: keys[mode],
        body: JSON.stringify(body),
      });
    },
    async consent(sessionId, selected) {
      await api(`/v1/verify/session/${sessionId}/consent`, {
        method: "POST",
        body: JSON.stringify({ selected_field_keys: selected }),
      });
    },
    async close() {
      await deps.usage.close();
      await server.shutdown(); // closes the shared KV
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

let axeSource: string | null = null;

/**
 * Runs axe-core (WCAG 2 A/AA rules) in the page and returns the violations. The source is
 * evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not
 * govern, so the page is tested with its real CSP in force.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= await Deno.readTextFile(
    new URL(import.meta.resolve("npm:axe-core@4.14.1/axe.min.js")),
  );
  await page.evaluate(axeSource);
  const results = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as { axe: typeof AxeApi };
    const run = await axe.run(document, {
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    return run.violations.map((v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
    );
  });
  return results as string[];
}
