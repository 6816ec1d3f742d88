/**
 * `/organizations/:slug/members`: members and their roles, invitation links (shown once), role
 * changes and removal. Owners manage members (docs/accounts.md); everyone else reads.
 */
import { type AppContext, define, page } from "../../../../lib/framework/define.ts";
import {
  changeRole,
  listMembers,
  type Membership,
  removeMember,
  type Role,
  roleAtLeast,
} from "../../../../lib/accounts/organizations.ts";
import {
  createInvitation,
  type Invitation,
  listInvitations,
  revokeInvitation,
} from "../../../../lib/accounts/invitations.ts";
import { getUser } from "../../../../lib/accounts/users.ts";
import { ActionButton, CsrfField, Notice } from "../../../../components/Form.tsx";
import { OrgNav } from "../../../../components/OrgNav.tsx";
import SecretReveal from "../../../../islands/SecretReveal.tsx";
import { readForm } from "../../../../lib/http/forms.ts";
import { TableScroll } from "../../../../components/TableScroll.tsx";

const ROLES: Role[] = ["owner", "admin", "member"];

interface Data {
  members: Array<Membership & { email: string }>;
  invitations: Invitation[];
  inviteLink?: string;
  error?: string;
}

async function load(c: AppContext, extra: Partial<Data> = {}): Promise<Data> {
  const kv = c.var.deps.kv;
  const org = c.var.org!;
  const members = await Promise.all(
    (await listMembers(kv, org.id)).map(async (m) => ({
      ...m,
      email: (await getUser(kv, m.userId))?.email ?? "(deleted)",
    })),
  );
  return { members, invitations: await listInvitations(kv, org.id), ...extra };
}

export const handler = define.handlers<Data>({
  async GET(c) {
    return page(await load(c), { title: "Members" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const org = c.var.org!;
    if (!roleAtLeast(c.var.role!, "owner")) {
      return page(await load(c, { error: "Only owners manage members." }), {
        status: 403,
        title: "Members",
      });
    }
    const form = await readForm(c);
    const action = String(form.action ?? "");
    const role = String(form.role ?? "") as Role;
    if (action === "invite") {
      if (!ROLES.includes(role)) {
        return page(await load(c, { error: "Choose a role." }), { status: 400 });
      }
      const { token } = await createInvitation(deps, {
        orgId: org.id,
        role,
        createdBy: c.var.auth!.user.id,
      });
      const inviteLink = `${deps.config.publicUrl}/invitations/${token}`;
      return page(await load(c, { inviteLink }), {
        title: "Members",
        headers: { "Cache-Control": "no-store" },
      });
    }
    const userId = String(form.user_id ?? "");
    let outcome: string;
    if (action === "role" && ROLES.includes(role)) {
      outcome = await changeRole(deps.kv, org.id, userId, role);
    } else if (action === "remove") outcome = await removeMember(deps.kv, org.id, userId);
    else if (action === "revoke") {
      outcome = (await revokeInvitation(deps.kv, org.id, String(form.invitation_id ?? "")))
        ? "ok"
        : "not_member";
    } else outcome = "unknown";
    if (outcome === "last_owner") {
      return page(await load(c, { error: "An organization keeps at least one owner." }), {
        status: 409,
        title: "Members",
      });
    }
    if (outcome !== "ok") {
      return page(await load(c, { error: "No such member or action." }), {
        status: 404,
        title: "Members",
      });
    }
    return c.redirect(`/organizations/${org.slug}/members`, 303);
  },
});

export default define.page<Data>(function Members({ data, state }) {
  const org = state.org!;
  const isOwner = roleAtLeast(state.role!, "owner");
  return (
    <>
      <OrgNav org={org} current="/members" />
      <section class="card">
        <h1>Members</h1>
        {data.error && <Notice kind="error">{data.error}</Notice>}
        {data.inviteLink && (
          <SecretReveal secret={data.inviteLink} label="Invitation link (valid 7 days, one use)" />
        )}
        <TableScroll label="Members">
          <table>
            <thead>
              <tr>
                <th>Email</th>
                <th>Role</th>
                {isOwner && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {data.members.map((m) => (
                <tr>
                  <td>{m.email}</td>
                  <td>{m.role}</td>
                  {isOwner && (
                    <td>
                      <form method="post" class="inline">
                        <CsrfField state={state} />
                        <input type="hidden" name="action" value="role" />
                        <input type="hidden" name="user_id" value={m.userId} />
                        <label class="sr-only" for={`role-${m.userId}`}>Role</label>
                        <select id={`role-${m.userId}`} name="role">
                          {ROLES.map((r) => (
                            <option key={r} value={r} selected={r === m.role}>{r}</option>
                          ))}
                        </select>
                        <button type="submit" class="secondary">Change role</button>
                      </form>
                      <ActionButton
                        state={state}
                        action="remove"
                        label="Remove"
                        danger
                        fields={{ user_id: m.userId }}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </section>
      {isOwner && (
        <section class="card">
          <h2>Invite someone</h2>
          <form method="post">
            <CsrfField state={state} />
            <input type="hidden" name="action" value="invite" />
            <label for="invite-role">Role</label>
            <select id="invite-role" name="role">
              {ROLES.map((r) => <option key={r} value={r} selected={r === "member"}>{r}</option>)}
            </select>
            <button type="submit">Create invitation link</button>
          </form>
          {data.invitations.length > 0 && (
            <>
              <h3>Pending invitations</h3>
              <ul>
                {data.invitations.map((i) => (
                  <li>
                    {i.role}, expires {i.expiresAt.slice(0, 10)}{" "}
                    <ActionButton
                      state={state}
                      action="revoke"
                      label="Revoke"
                      fields={{ invitation_id: i.id }}
                    />
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </>
  );
});
