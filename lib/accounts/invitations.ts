/**
 * Invitation links (no email server needed): a random token shown once as a link, stored only as
 * a keyed hash, valid 7 days, consumed atomically with the membership it creates.
 * Keys: `["invitations", tokenHash]`, `["invitations_by_org", orgId, id]`.
 */
import { newId, randomToken } from "../core/ids.ts";
import type { AppDeps } from "../deps.ts";
import {
  addMembershipOps,
  type Membership,
  type Organization,
  type Role,
} from "./organizations.ts";
import { accountKeys } from "./kv_keys.ts";

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

/** A pending invitation. */
export interface Invitation {
  id: string;
  orgId: string;
  role: Role;
  tokenHash: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
}

/** Creates an invitation; returns it with the plaintext token (shown once). */
export async function createInvitation(
  deps: Pick<AppDeps, "kv" | "keys" | "clock" | "random">,
  input: { orgId: string; role: Role; createdBy: string },
): Promise<{ invitation: Invitation; token: string }> {
  const token = randomToken(32, deps.random);
  const now = deps.clock.now();
  const invitation: Invitation = {
    id: newId("inv", deps.random),
    orgId: input.orgId,
    role: input.role,
    tokenHash: await deps.keys.hash(`invitation:${token}`),
    createdBy: input.createdBy,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
  };
  await deps.kv.atomic()
    .set(accountKeys.invitation(invitation.tokenHash), invitation, { expireIn: INVITATION_TTL_MS })
    .set(accountKeys.invitationByOrg(input.orgId, invitation.id), invitation, {
      expireIn: INVITATION_TTL_MS,
    })
    .commit();
  return { invitation, token };
}

/** Finds a live invitation by its token. */
export async function findInvitation(
  deps: Pick<AppDeps, "kv" | "keys" | "clock">,
  token: string,
): Promise<Invitation | null> {
  const hash = await deps.keys.hash(`invitation:${token}`);
  const invitation = (await deps.kv.get<Invitation>(accountKeys.invitation(hash))).value;
  if (!invitation || new Date(invitation.expiresAt) <= deps.clock.now()) return null;
  return await liveOrganization(deps.kv, invitation.orgId) ? invitation : null;
}

/** The invitation's organization, or null once it is deleted. */
async function liveOrganization(
  kv: Deno.Kv,
  orgId: string,
): Promise<Deno.KvEntry<Organization> | null> {
  const entry = await kv.get<Organization>(accountKeys.organization(orgId));
  return entry.value && !entry.value.deletedAt ? entry as Deno.KvEntry<Organization> : null;
}

/** Consumes an invitation for a user: one commit deletes it and adds the membership. */
export async function acceptInvitation(
  deps: Pick<AppDeps, "kv" | "keys" | "clock">,
  token: string,
  userId: string,
): Promise<"accepted" | "invalid" | "already_member"> {
  const hash = await deps.keys.hash(`invitation:${token}`);
  const entry = await deps.kv.get<Invitation>(accountKeys.invitation(hash));
  const invitation = entry.value;
  if (!invitation || new Date(invitation.expiresAt) <= deps.clock.now()) return "invalid";
  // A deleted organization's links are dead; the check makes a deletion in between fail this.
  const org = await liveOrganization(deps.kv, invitation.orgId);
  if (!org) return "invalid";
  const membership: Membership = {
    orgId: invitation.orgId,
    userId,
    role: invitation.role,
    createdAt: deps.clock.now().toISOString(),
  };
  const op = deps.kv.atomic().check(entry, org)
    .delete(accountKeys.invitation(hash))
    .delete(accountKeys.invitationByOrg(invitation.orgId, invitation.id));
  const result = await addMembershipOps(op, membership).commit();
  if (result.ok) return "accepted";
  const member = await deps.kv.get(accountKeys.membership(invitation.orgId, userId));
  if (member.value) return "already_member";
  // The invitation was used meanwhile, or its organization changed: read both again.
  return await acceptInvitation(deps, token, userId);
}

/** Pending invitations of an organization. */
export async function listInvitations(kv: Deno.Kv, orgId: string): Promise<Invitation[]> {
  const out: Invitation[] = [];
  for await (
    const e of kv.list<Invitation>({ prefix: accountKeys.invitationsByOrgPrefix(orgId) })
  ) {
    out.push(e.value);
  }
  return out;
}

/** Revokes a pending invitation. */
export async function revokeInvitation(kv: Deno.Kv, orgId: string, id: string): Promise<boolean> {
  const entry = await kv.get<Invitation>(accountKeys.invitationByOrg(orgId, id));
  if (!entry.value) return false;
  await kv.atomic().delete(accountKeys.invitation(entry.value.tokenHash))
    .delete(accountKeys.invitationByOrg(orgId, id)).commit();
  return true;
}
