/**
 * The instance owner: the one user who manages what the whole instance trusts (the CSCA trust
 * store, docs/trust-store.md). It is the owner created at first-run setup, recorded at
 * `["instance_owner"]`; an instance set up before that record existed falls back to its earliest
 * user (ties broken by id), which is the setup owner too, and records it.
 */
import type { User } from "./users.ts";
import { accountKeys } from "./kv_keys.ts";

const KEY = accountKeys.instanceOwner();

/** Records the instance owner (first-run setup does this once). */
export async function setInstanceOwner(kv: Deno.Kv, userId: string): Promise<void> {
  await kv.set(KEY, userId);
}

/** The instance owner's user id, or null on an instance without users. */
export async function instanceOwnerId(kv: Deno.Kv): Promise<string | null> {
  const recorded = (await kv.get<string>(KEY)).value;
  if (recorded) return recorded;
  let first: User | null = null;
  for await (const entry of kv.list<User>({ prefix: accountKeys.usersPrefix() })) {
    const user = entry.value;
    if (
      !first || user.createdAt < first.createdAt ||
      (user.createdAt === first.createdAt && user.id < first.id)
    ) first = user;
  }
  if (!first) return null;
  // Remember the answer (only if still unset): later requests read one key.
  await kv.atomic().check({ key: KEY, versionstamp: null }).set(KEY, first.id).commit();
  return first.id;
}

/** True when `userId` is the instance owner. */
export async function isInstanceOwner(kv: Deno.Kv, userId: string): Promise<boolean> {
  return (await instanceOwnerId(kv)) === userId;
}
