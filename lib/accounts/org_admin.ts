/**
 * Renaming and deleting an organization (docs/dashboard.md "Organizations").
 *
 * Deleting (owner only, after typing the slug): in this order, so nothing new can start —
 * every API key is deleted (its secret stops working at once), every webhook endpoint and its keys
 * are deleted (no webhook leaves any more), the open sessions of both modes are cancelled
 * (`cancelled_by: integrator`; they reach no endpoint), the slug and every membership are removed
 * (the dashboard answers 404), and the organization record is marked `deletedAt`. The sessions and
 * their attempts are then deleted by the ordinary retention job (lib/sessions/retention.ts: 7 days
 * after their end minimised, 30 days after deleted); events and deliveries by the webhooks layer's
 * history retention. Analytics counters stay, as for any deleted session.
 */
import type { AppDeps } from "../deps.ts";
import { deleteApiKey, listApiKeys } from "../api_keys/api_keys.ts";
import { deleteEndpoint, listEndpoints } from "../../webhooks/endpoints.ts";
import { cancelSession } from "../sessions/lifecycle.ts";
import { type SessionIndexValue, sessionKeys } from "../sessions/types.ts";
import { idOf } from "../core/index_page.ts";
import type { Organization } from "./organizations.ts";
import { accountKeys } from "./kv_keys.ts";
import { listInvitations } from "./invitations.ts";

/** Organization names: 1–120 characters. */
export const MAX_ORG_NAME = 120;

/** Renames an organization (the slug, its address, stays). Returns the new record or null. */
export async function renameOrganization(
  deps: Pick<AppDeps, "kv">,
  orgId: string,
  name: string,
): Promise<Organization | null> {
  for (;;) {
    const entry = await deps.kv.get<Organization>(accountKeys.organization(orgId));
    if (!entry.value || entry.value.deletedAt) return null;
    const updated = { ...entry.value, name };
    if ((await deps.kv.atomic().check(entry).set(entry.key, updated).commit()).ok) return updated;
  }
}

/** What a deletion did. */
export interface DeletionSummary {
  apiKeys: number;
  endpoints: number;
  cancelledSessions: number;
}

/** Deletes an organization as described above. The caller checked the owner and confirmation. */
export async function deleteOrganization(
  deps: AppDeps,
  org: Organization,
): Promise<DeletionSummary> {
  const kv = deps.kv;
  const summary: DeletionSummary = { apiKeys: 0, endpoints: 0, cancelledSessions: 0 };
  for (const key of await listApiKeys(kv, org.id)) {
    if (await deleteApiKey(kv, org.id, key.id)) summary.apiKeys++;
  }
  for (const mode of ["test", "live"] as const) {
    for (const endpoint of await listEndpoints(kv, { orgId: org.id, mode })) {
      if (await deleteEndpoint(kv, { orgId: org.id, mode }, endpoint.id)) summary.endpoints++;
    }
    for (const status of ["created", "in_progress"] as const) {
      const prefix = sessionKeys.byOrgStatusPrefix({ orgId: org.id, mode }, status);
      for await (const e of kv.list<SessionIndexValue>({ prefix })) {
        const result = await cancelSession(deps, idOf(e.value), {
          by: "integrator",
          scope: { orgId: org.id, mode },
        });
        if (result?.cancelled) summary.cancelledSessions++;
      }
    }
  }
  for (;;) {
    const entry = await kv.get<Organization>(accountKeys.organization(org.id));
    if (!entry.value) break;
    const op = kv.atomic().check(entry)
      .set(entry.key, { ...entry.value, deletedAt: deps.clock.now().toISOString() })
      .delete(accountKeys.organizationBySlug(entry.value.slug));
    for await (
      const m of kv.list<{ userId: string }>({ prefix: accountKeys.membershipsPrefix(org.id) })
    ) {
      op.delete(m.key).delete(accountKeys.membershipByUser(m.value.userId, org.id));
    }
    for (const invitation of await listInvitations(kv, org.id)) {
      op.delete(accountKeys.invitation(invitation.tokenHash))
        .delete(accountKeys.invitationByOrg(org.id, invitation.id));
    }
    if ((await op.commit()).ok) break;
  }
  deps.logger.info("organization.deleted", { org_id: org.id, ...summary });
  return summary;
}
