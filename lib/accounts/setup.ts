/**
 * First run: while no user exists, each start prints a setup link whose token (stored hashed,
 * `["setup_tokens", hash]`, for {@link SETUP_LINK_TTL_MS}) lets whoever holds it create the first
 * owner and organization. Instances started together each print a link, and each link works: one
 * instance's start does not void the link another printed. Creating any user — here, with
 * `deno task admin create-org`, or through an invitation — sets `["setup_closed"]` in its commit,
 * and every link dies with the first account (docs/self-hosting.md).
 */
import { randomToken } from "../core/ids.ts";
import type { AppDeps } from "../deps.ts";
import { hashPassword } from "./passwords.ts";
import {
  anyUserExists,
  createUser,
  EmailTakenError,
  SETUP_CLOSED_KEY,
  type User,
} from "./users.ts";
import { accountKeys } from "./kv_keys.ts";

/** How long a printed setup link works (a restart prints a new one). */
export const SETUP_LINK_TTL_MS = 24 * 3600_000;
import { createOrganization, type Organization } from "./organizations.ts";
import { setInstanceOwner } from "./instance_owner.ts";

/** True once setup is over: a user exists (or existed), so no setup link is accepted. */
export async function setupClosed(kv: Deno.Kv): Promise<boolean> {
  return (await kv.get(SETUP_CLOSED_KEY)).versionstamp !== null || await anyUserExists(kv);
}

/** Creates a fresh setup token when no user exists; returns the link or null. */
export async function issueSetupLink(deps: AppDeps): Promise<string | null> {
  if (await setupClosed(deps.kv)) return null;
  const token = randomToken(24, deps.random);
  // Checked against `setup_closed`: a user created meanwhile (by any instance) wins.
  const key = accountKeys.setupToken(await deps.keys.hash(`setup:${token}`));
  const issued = await deps.kv.atomic()
    .check({ key: SETUP_CLOSED_KEY, versionstamp: null })
    .set(key, { issuedAt: deps.clock.now().toISOString() }, { expireIn: SETUP_LINK_TTL_MS })
    .commit();
  return issued.ok ? `${deps.config.publicUrl}/setup?token=${token}` : null;
}

/** The stored entry of a setup token issued less than {@link SETUP_LINK_TTL_MS} ago, or null. */
async function liveSetupToken(
  deps: Pick<AppDeps, "kv" | "keys" | "clock">,
  token: string,
): Promise<Deno.KvEntry<{ issuedAt: string }> | null> {
  const key = accountKeys.setupToken(await deps.keys.hash(`setup:${token}`));
  const entry = await deps.kv.get<{ issuedAt: string }>(key);
  if (!entry.value) return null;
  const age = deps.clock.now().getTime() - Date.parse(entry.value.issuedAt);
  return age < SETUP_LINK_TTL_MS ? entry as Deno.KvEntry<{ issuedAt: string }> : null;
}

/** True when the token is a live setup token and setup is still open. */
export async function setupTokenValid(
  deps: Pick<AppDeps, "kv" | "keys" | "clock">,
  token: string,
): Promise<boolean> {
  if (!token || await setupClosed(deps.kv)) return false;
  return await liveSetupToken(deps, token) !== null;
}

/**
 * Completes setup: first owner and organization. The owner is created in the commit that
 * consumes the token, checked against the token's versionstamp and `setup_closed`, so of two
 * concurrent submits, or a submit racing another way of creating a user, exactly one wins.
 * Returns null when the token is wrong or setup is over.
 */
export async function completeSetup(
  deps: AppDeps,
  input: { token: string; email: string; password: string; orgName: string; orgSlug: string },
): Promise<{ user: User; organization: Organization } | null> {
  if (!input.token || await setupClosed(deps.kv)) return null;
  const entry = await liveSetupToken(deps, input.token);
  if (!entry) return null;
  let user: User;
  try {
    user = await createUser(
      deps.kv,
      { email: input.email, passwordHash: await hashPassword(input.password, deps.random) },
      deps.clock,
      deps.random,
      [entry, { key: SETUP_CLOSED_KEY, versionstamp: null }],
    );
  } catch (error) {
    if (error instanceof EmailTakenError) return null; // setup closed by someone else meanwhile
    throw error;
  }
  // The setup owner is the instance owner: the one who manages the trust store.
  await setInstanceOwner(deps.kv, user.id);
  const organization = await createOrganization(
    deps.kv,
    { name: input.orgName, slug: input.orgSlug, ownerId: user.id },
    deps.clock,
    deps.random,
  );
  return { user, organization };
}
