/**
 * Organizations and memberships in KV.
 * Keys: `["organizations", id]`, `["organizations_by_slug", slug]` (unique),
 * `["memberships", orgId, userId]` and its mirror `["memberships_by_user", userId, orgId]`.
 */
import { newId } from "../core/ids.ts";
import type { Clock } from "../core/clock.ts";
import type { RandomSource } from "../core/random.ts";
import { accountKeys } from "./kv_keys.ts";

/** An organization. */
export interface Organization {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
  /** Set when the organization was deleted (lib/accounts/org_admin.ts); its slug is free again. */
  deletedAt?: string;
}

/** Dashboard roles, strongest first. */
export type Role = "owner" | "admin" | "member";

/** A user's membership of an organization. */
export interface Membership {
  orgId: string;
  userId: string;
  role: Role;
  createdAt: string;
}

/** The slug rule of docs/accounts.md. */
export const SLUG_PATTERN = /^[a-z0-9-]{2,48}$/;

/** Raised when a slug is taken. */
export class SlugTakenError extends Error {
  constructor() {
    super("this slug is already used by another organization");
    this.name = "SlugTakenError";
  }
}

/** Raised when a membership already exists. */
export class AlreadyMemberError extends Error {
  constructor() {
    super("this user is already a member");
    this.name = "AlreadyMemberError";
  }
}

/** True when `role` may do what `needed` may do (owner > admin > member). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };
  return rank[role] >= rank[needed];
}

/** Creates an organization with its owner in one commit; `SlugTakenError` if the slug is used. */
export async function createOrganization(
  kv: Deno.Kv,
  input: { name: string; slug: string; ownerId: string },
  clock: Clock,
  random: RandomSource,
): Promise<Organization> {
  if (!SLUG_PATTERN.test(input.slug)) throw new Error("invalid slug");
  const now = clock.now().toISOString();
  const org: Organization = {
    id: newId("org", random),
    name: input.name,
    slug: input.slug,
    createdAt: now,
  };
  const membership: Membership = {
    orgId: org.id,
    userId: input.ownerId,
    role: "owner",
    createdAt: now,
  };
  const slugKey = accountKeys.organizationBySlug(org.slug);
  const result = await kv.atomic()
    .check({ key: slugKey, versionstamp: null })
    .set(accountKeys.organization(org.id), org)
    .set(slugKey, org.id)
    .set(accountKeys.membership(org.id, input.ownerId), membership)
    .set(accountKeys.membershipByUser(input.ownerId, org.id), membership)
    .commit();
  if (!result.ok) throw new SlugTakenError();
  return org;
}

/** Reads an organization by id. */
export async function getOrganization(kv: Deno.Kv, id: string): Promise<Organization | null> {
  return (await kv.get<Organization>(accountKeys.organization(id))).value;
}

/** Reads an organization by slug. */
export async function getOrganizationBySlug(
  kv: Deno.Kv,
  slug: string,
): Promise<Organization | null> {
  const id = (await kv.get<string>(accountKeys.organizationBySlug(slug))).value;
  return id ? await getOrganization(kv, id) : null;
}

/** Lists every organization (admin command line). */
export async function listOrganizations(kv: Deno.Kv): Promise<Organization[]> {
  const out: Organization[] = [];
  for await (const e of kv.list<Organization>({ prefix: accountKeys.organizationsPrefix() })) {
    if (!e.value.deletedAt) out.push(e.value);
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The user's membership of an organization, if any. */
export async function getMembership(
  kv: Deno.Kv,
  orgId: string,
  userId: string,
): Promise<Membership | null> {
  return (await kv.get<Membership>(accountKeys.membership(orgId, userId))).value;
}

/** Organizations the user belongs to, with the role. */
export async function listOrganizationsForUser(
  kv: Deno.Kv,
  userId: string,
): Promise<Array<{ organization: Organization; role: Role }>> {
  const out: Array<{ organization: Organization; role: Role }> = [];
  for await (
    const e of kv.list<Membership>({ prefix: accountKeys.membershipsByUserPrefix(userId) })
  ) {
    const organization = await getOrganization(kv, e.value.orgId);
    if (organization) out.push({ organization, role: e.value.role });
  }
  return out;
}

/** Members of an organization. */
export async function listMembers(kv: Deno.Kv, orgId: string): Promise<Membership[]> {
  const out: Membership[] = [];
  for await (const e of kv.list<Membership>({ prefix: accountKeys.membershipsPrefix(orgId) })) {
    out.push(e.value);
  }
  return out;
}

/** Adds a member; `AlreadyMemberError` if present. Returns the commit's atomic for chaining. */
export function addMembershipOps(
  op: Deno.AtomicOperation,
  membership: Membership,
): Deno.AtomicOperation {
  return op
    .check({ key: accountKeys.membership(membership.orgId, membership.userId), versionstamp: null })
    .set(accountKeys.membership(membership.orgId, membership.userId), membership)
    .set(accountKeys.membershipByUser(membership.userId, membership.orgId), membership);
}

/**
 * The other owners' memberships, to be checked in the commit that takes an owner away: two owners
 * demoting (or removing) each other at the same moment must not both succeed, or none is left.
 */
async function otherOwners(
  kv: Deno.Kv,
  orgId: string,
  userId: string,
): Promise<Deno.KvEntry<Membership>[]> {
  const owners: Deno.KvEntry<Membership>[] = [];
  for await (const e of kv.list<Membership>({ prefix: accountKeys.membershipsPrefix(orgId) })) {
    if (e.value.role === "owner" && e.value.userId !== userId) owners.push(e);
  }
  return owners;
}

/**
 * Changes a member's role (`role`) or removes them (`null`), refusing to leave the organization
 * without an owner; retried from a fresh read when another change got in first.
 */
async function changeMembership(
  kv: Deno.Kv,
  orgId: string,
  userId: string,
  role: Role | null,
): Promise<"ok" | "not_member" | "last_owner"> {
  for (;;) {
    const entry = await kv.get<Membership>(accountKeys.membership(orgId, userId));
    if (!entry.value) return "not_member";
    const op = kv.atomic().check(entry);
    if (entry.value.role === "owner" && role !== "owner") {
      const others = await otherOwners(kv, orgId, userId);
      if (others.length === 0) return "last_owner";
      op.check(...others);
    }
    if (role) {
      const updated = { ...entry.value, role };
      op.set(accountKeys.membership(orgId, userId), updated)
        .set(accountKeys.membershipByUser(userId, orgId), updated);
    } else {
      op.delete(accountKeys.membership(orgId, userId))
        .delete(accountKeys.membershipByUser(userId, orgId));
    }
    if ((await op.commit()).ok) return "ok";
  }
}

/** Changes a member's role, refusing to leave the organization without an owner. */
export function changeRole(
  kv: Deno.Kv,
  orgId: string,
  userId: string,
  role: Role,
): Promise<"ok" | "not_member" | "last_owner"> {
  return changeMembership(kv, orgId, userId, role);
}

/** Removes a member, refusing to remove the last owner. */
export function removeMember(
  kv: Deno.Kv,
  orgId: string,
  userId: string,
): Promise<"ok" | "not_member" | "last_owner"> {
  return changeMembership(kv, orgId, userId, null);
}
