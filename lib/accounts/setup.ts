/**
 * First run: while no user exists, a one-time setup token (stored hashed, `["setup_token"]`)
 * lets whoever holds the link printed to the server log create the first owner and organization.
 */
import { randomToken } from "../core/ids.ts";
import type { AppDeps } from "../deps.ts";
import { hashPassword } from "./passwords.ts";
import { anyUserExists, createUser, type User } from "./users.ts";
import { createOrganization, type Organization } from "./organizations.ts";
import { setInstanceOwner } from "./instance_owner.ts";

/** Creates a fresh setup token when no user exists; returns the link or null. */
export async function issueSetupLink(deps: AppDeps): Promise<string | null> {
  if (await anyUserExists(deps.kv)) return null;
  const token = randomToken(24, deps.random);
  await deps.kv.set(["setup_token"], await deps.keys.hash(`setup:${token}`));
  return `${deps.config.publicUrl}/setup?token=${token}`;
}

/** True when the token is the current setup token and setup is still open. */
export async function setupTokenValid(deps: AppDeps, token: string): Promise<boolean> {
  if (!token || await anyUserExists(deps.kv)) return false;
  const stored = (await deps.kv.get<string>(["setup_token"])).value;
  return stored !== null && stored === await deps.keys.hash(`setup:${token}`);
}

/** Completes setup: first owner and organization; consumes the token. */
export async function completeSetup(
  deps: AppDeps,
  input: { token: string; email: string; password: string; orgName: string; orgSlug: string },
): Promise<{ user: User; organization: Organization } | null> {
  const entry = await deps.kv.get<string>(["setup_token"]);
  if (!entry.value || entry.value !== await deps.keys.hash(`setup:${input.token}`)) return null;
  // Consume first: a second concurrent submit fails the versionstamp check.
  const consumed = await deps.kv.atomic().check(entry).delete(["setup_token"]).commit();
  if (!consumed.ok) return null;
  const user = await createUser(
    deps.kv,
    { email: input.email, passwordHash: await hashPassword(input.password, deps.random) },
    deps.clock,
    deps.random,
  );
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
