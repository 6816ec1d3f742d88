/**
 * First run: while no user exists, a one-time setup token (stored hashed, `["setup_token"]`)
 * lets whoever holds the link printed to the server log create the first owner and organization.
 * Creating any user — here, with `deno task admin create-org`, or through an invitation — deletes
 * the token and sets `["setup_closed"]` in the same commit, so a printed link dies with the first
 * account, even one issued by a second instance that raced the first (docs/self-hosting.md).
 */
import { randomToken } from "../core/ids.ts";
import type { AppDeps } from "../deps.ts";
import { hashPassword } from "./passwords.ts";
import {
  anyUserExists,
  createUser,
  EmailTakenError,
  SETUP_CLOSED_KEY,
  SETUP_TOKEN_KEY,
  type User,
} from "./users.ts";
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
  const issued = await deps.kv.atomic()
    .check({ key: SETUP_CLOSED_KEY, versionstamp: null })
    .set(SETUP_TOKEN_KEY, await deps.keys.hash(`setup:${token}`))
    .commit();
  return issued.ok ? `${deps.config.publicUrl}/setup?token=${token}` : null;
}

/** True when the token is the current setup token and setup is still open. */
export async function setupTokenValid(
  deps: Pick<AppDeps, "kv" | "keys">,
  token: string,
): Promise<boolean> {
  if (!token || await setupClosed(deps.kv)) return false;
  const stored = (await deps.kv.get<string>(SETUP_TOKEN_KEY)).value;
  return stored !== null && stored === await deps.keys.hash(`setup:${token}`);
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
  if (await setupClosed(deps.kv)) return null;
  const entry = await deps.kv.get<string>(SETUP_TOKEN_KEY);
  if (!entry.value || entry.value !== await deps.keys.hash(`setup:${input.token}`)) return null;
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
