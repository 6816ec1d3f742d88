/**
 * Test harness: the real app on in-memory KV with a manual clock, seeded organizations, users
 * and API keys. HTTP tests go through `app.request(...)`, never a port.
 */
import { type Config, testConfig } from "../../lib/core/config.ts";
import { ManualClock } from "../../lib/core/clock.ts";
import { createPlatform, type PlatformOptions } from "../../lib/platform.ts";
import { createApp } from "../../lib/app.ts";
import { manifest } from "../../manifest.gen.ts";
import type { AppDeps } from "../../lib/deps.ts";
import { createUser } from "../../lib/accounts/users.ts";
import { hashPassword } from "../../lib/accounts/passwords.ts";
import { createOrganization, type Organization } from "../../lib/accounts/organizations.ts";
import { createApiKey, type KeyMode, type Scope, SCOPES } from "../../lib/api_keys/api_keys.ts";
import { silentLogger } from "../../lib/core/logger.ts";

/** A test app and what it runs on. */
export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: AppDeps;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Builds the app on in-memory KV. */
export async function createTestApp(
  overrides: Partial<Config> = {},
  options: PlatformOptions = {},
): Promise<TestApp> {
  const clock = new ManualClock("2026-06-01T12:00:00Z");
  const { deps } = await createPlatform(testConfig(overrides), {
    clock,
    logger: silentLogger,
    usageFlushMs: 0,
  }, options);
  // Tests never wait the sign-in slow-down (lib/accounts/sign_in_throttle.ts); some record it.
  deps.services.signInSleep = () => Promise.resolve();
  const app = createApp(deps, manifest);
  return {
    app,
    deps,
    clock,
    async close() {
      await deps.usage.close();
      deps.kv.close();
    },
  };
}

let counter = 0;

/** Creates an owner and an organization with a unique slug. */
export async function seedOrganization(
  deps: AppDeps,
  options: { password?: string } = {},
): Promise<{ org: Organization; ownerId: string; email: string; password: string }> {
  counter++;
  const password = options.password ?? "correct horse battery";
  const email = `owner${counter}-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const user = await createUser(
    deps.kv,
    { email, passwordHash: await hashPassword(password) },
    deps.clock,
    deps.random,
  );
  const org = await createOrganization(
    deps.kv,
    {
      name: `Org ${counter}`,
      slug: `org-${counter}-${crypto.randomUUID().slice(0, 6)}`,
      ownerId: user.id,
    },
    deps.clock,
    deps.random,
  );
  return { org, ownerId: user.id, email, password };
}

/** Creates an API key for an organization; returns its secret. */
export async function seedApiKey(
  deps: AppDeps,
  orgId: string,
  options: { scopes?: Scope[]; mode?: KeyMode } = {},
): Promise<{ secret: string; id: string }> {
  const { key, secret } = await createApiKey(deps, {
    orgId,
    name: "test key",
    scopes: options.scopes ?? [...SCOPES],
    mode: options.mode ?? "test",
    createdBy: null,
  });
  return { secret, id: key.id };
}

/** Authorization header for a secret. */
export function bearer(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}
