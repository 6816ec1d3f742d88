/**
 * Dashboard users in KV. Keys: `["users", id]`, `["users_by_email", email]` (unique). Creating
 * any user, by any path, closes first-run setup in the same commit: the setup token
 * (`["setup_tokens", …]`) no longer works: `["setup_closed"]` is set (docs/self-hosting.md).
 */
import { newId } from "../core/ids.ts";
import type { Clock } from "../core/clock.ts";
import type { RandomSource } from "../core/random.ts";
import { accountKeys } from "./kv_keys.ts";

/** A dashboard user. */
export interface User {
  id: string;
  email: string;
  passwordHash: string;
  createdAt: string;
  /**
   * Dashboard sessions carry the epoch they were started in; raising it (sign out everywhere, a
   * password change or reset) ends every older session at once. Absent means 0.
   */
  sessionEpoch?: number;
}

/** Raised when the email is already registered. */
export class EmailTakenError extends Error {
  constructor() {
    super("an account with this email already exists");
    this.name = "EmailTakenError";
  }
}

/** Normalises an email for uniqueness (trimmed, lowercase). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A user for tests. */
export function randomUser(overrides: Partial<User> = {}): User {
  return {
    id: newId("usr"),
    email: `${crypto.randomUUID()}@example.test`,
    passwordHash: "$argon2id$test",
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Set with the first user: no setup token can be issued or used after it. */
export const SETUP_CLOSED_KEY = accountKeys.setupClosed();

/**
 * Creates a user; the email index is claimed in the same commit (`EmailTakenError` if taken, or
 * when one of `checks` fails), which also closes setup: no setup link works after it.
 */
export async function createUser(
  kv: Deno.Kv,
  input: { email: string; passwordHash: string },
  clock: Clock,
  random: RandomSource,
  checks: Deno.AtomicCheck[] = [],
): Promise<User> {
  const user: User = {
    id: newId("usr", random),
    email: normaliseEmail(input.email),
    passwordHash: input.passwordHash,
    createdAt: clock.now().toISOString(),
  };
  const emailKey = accountKeys.userByEmail(user.email);
  const result = await kv.atomic()
    .check({ key: emailKey, versionstamp: null }, ...checks)
    .set(accountKeys.user(user.id), user)
    .set(emailKey, user.id)
    .set(SETUP_CLOSED_KEY, true)
    .commit();
  if (!result.ok) throw new EmailTakenError();
  return user;
}

/** Reads a user by id. */
export async function getUser(kv: Deno.Kv, id: string): Promise<User | null> {
  return (await kv.get<User>(accountKeys.user(id))).value;
}

/** Reads a user by email (normalised). */
export async function getUserByEmail(kv: Deno.Kv, email: string): Promise<User | null> {
  const id = (await kv.get<string>(accountKeys.userByEmail(normaliseEmail(email)))).value;
  return id ? await getUser(kv, id) : null;
}

/**
 * Sets a new password hash and/or ends every dashboard session of the user (raises the session
 * epoch), re-checking the record read. Returns the updated user, or null when it is gone.
 */
export async function updateUserSecurity(
  kv: Deno.Kv,
  userId: string,
  change: { passwordHash?: string; endSessions: boolean },
): Promise<User | null> {
  for (;;) {
    const entry = await kv.get<User>(accountKeys.user(userId));
    if (!entry.value) return null;
    const updated: User = {
      ...entry.value,
      ...(change.passwordHash ? { passwordHash: change.passwordHash } : {}),
      sessionEpoch: (entry.value.sessionEpoch ?? 0) + (change.endSessions ? 1 : 0),
    };
    if ((await kv.atomic().check(entry).set(entry.key, updated).commit()).ok) return updated;
  }
}

/** True when at least one user exists (first-run setup is over). */
export async function anyUserExists(kv: Deno.Kv): Promise<boolean> {
  for await (const _ of kv.list({ prefix: accountKeys.usersPrefix() }, { limit: 1 })) return true;
  return false;
}
