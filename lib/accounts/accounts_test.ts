import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { cryptoRandom } from "../core/random.ts";
import { createServerKeys } from "../core/keys.ts";
import { createUser, EmailTakenError, getUserByEmail } from "./users.ts";
import {
  addMembershipOps,
  changeRole,
  createOrganization,
  getMembership,
  getOrganizationBySlug,
  listMembers,
  removeMember,
  SlugTakenError,
} from "./organizations.ts";
import { acceptInvitation, createInvitation, findInvitation } from "./invitations.ts";
import { accountKeys } from "./kv_keys.ts";

const clock = new ManualClock("2026-06-01T00:00:00Z");

async function fresh() {
  const kv = await Deno.openKv(":memory:");
  const keys = await createServerKeys(new Uint8Array(32).fill(1));
  return { kv, keys, clock, random: cryptoRandom };
}

Deno.test("20 concurrent sign-ups with one email create exactly one user", async () => {
  const { kv } = await fresh();
  const results = await Promise.allSettled(
    Array.from(
      { length: 20 },
      (_, i) =>
        createUser(
          kv,
          { email: i % 2 ? "Same@Example.test" : " same@example.test ", passwordHash: "h" },
          clock,
          cryptoRandom,
        ),
    ),
  );
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  for (const r of results) {
    if (r.status === "rejected") assert.ok(r.reason instanceof EmailTakenError);
  }
  assert.equal((await getUserByEmail(kv, "SAME@example.test"))?.email, "same@example.test");
  let users = 0;
  for await (const _ of kv.list({ prefix: accountKeys.usersPrefix() })) users++;
  assert.equal(users, 1);
  kv.close();
});

Deno.test("20 concurrent organizations with one slug: one wins, one owner membership", async () => {
  const { kv } = await fresh();
  const results = await Promise.allSettled(
    Array.from(
      { length: 20 },
      (_, i) =>
        createOrganization(
          kv,
          { name: `Org ${i}`, slug: "acme", ownerId: `usr_${i}` },
          clock,
          cryptoRandom,
        ),
    ),
  );
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1);
  assert.ok(results.every((r) => r.status === "fulfilled" || r.reason instanceof SlugTakenError));
  const org = await getOrganizationBySlug(kv, "acme");
  assert.ok(org);
  const members = await listMembers(kv, org.id);
  assert.equal(members.length, 1);
  assert.equal(members[0].role, "owner");
  let orgs = 0;
  for await (const _ of kv.list({ prefix: accountKeys.organizationsPrefix() })) orgs++;
  assert.equal(orgs, 1);
  kv.close();
});

Deno.test("the last owner can be neither demoted nor removed", async () => {
  const { kv } = await fresh();
  const org = await createOrganization(
    kv,
    { name: "A", slug: "a-1", ownerId: "usr_owner" },
    clock,
    cryptoRandom,
  );
  assert.equal(await changeRole(kv, org.id, "usr_owner", "admin"), "last_owner");
  assert.equal(await removeMember(kv, org.id, "usr_owner"), "last_owner");
  assert.equal(await changeRole(kv, org.id, "usr_nobody", "admin"), "not_member");
  kv.close();
});

Deno.test("two owners taking each other away at once leave one owner", async () => {
  const { kv } = await fresh();
  for (let round = 0; round < 20; round++) {
    const org = await createOrganization(
      kv,
      { name: "Two owners", slug: `two-owners-${round}`, ownerId: "usr_a" },
      clock,
      cryptoRandom,
    );
    const b = { orgId: org.id, userId: "usr_b", role: "owner" as const, createdAt: "" };
    assert.ok((await addMembershipOps(kv.atomic(), b).commit()).ok);
    // Demotions and removals, in every pairing, at the same moment.
    const take = (user: string) =>
      (round % 3 === 0 || (round % 3 === 1 && user === "usr_a"))
        ? changeRole(kv, org.id, user, "member")
        : removeMember(kv, org.id, user);
    const results = await Promise.all([take("usr_a"), take("usr_b")]);
    assert.deepEqual(results.toSorted(), ["last_owner", "ok"], `round ${round}`);
    const owners = (await listMembers(kv, org.id)).filter((m) => m.role === "owner");
    assert.equal(owners.length, 1, `round ${round}`);
  }
  kv.close();
});

Deno.test("an invitation is consumed once even when accepted concurrently", async () => {
  const deps = await fresh();
  const org = await createOrganization(
    deps.kv,
    { name: "A", slug: "a-2", ownerId: "usr_owner" },
    clock,
    cryptoRandom,
  );
  const { token } = await createInvitation(deps, {
    orgId: org.id,
    role: "admin",
    createdBy: "usr_owner",
  });
  const outcomes = await Promise.all(
    Array.from({ length: 10 }, (_, i) => acceptInvitation(deps, token, `usr_${i}`)),
  );
  assert.equal(outcomes.filter((o) => o === "accepted").length, 1);
  assert.equal((await listMembers(deps.kv, org.id)).length, 2);
  assert.equal(await findInvitation(deps, token), null);
  const joined = outcomes.indexOf("accepted");
  assert.equal((await getMembership(deps.kv, org.id, `usr_${joined}`))?.role, "admin");
  deps.kv.close();
});

Deno.test("an expired invitation is refused", async () => {
  const deps = { ...(await fresh()), clock: new ManualClock("2026-06-01T00:00:00Z") };
  const org = await createOrganization(
    deps.kv,
    { name: "A", slug: "a-3", ownerId: "usr_owner" },
    clock,
    cryptoRandom,
  );
  const { token } = await createInvitation(deps, {
    orgId: org.id,
    role: "member",
    createdBy: "usr_owner",
  });
  deps.clock.advance(8 * 24 * 3600 * 1000);
  assert.equal(await acceptInvitation(deps, token, "usr_late"), "invalid");
  deps.kv.close();
});

Deno.test("a role change that lost a race re-reads and applies on the new version", async () => {
  const { kv } = await fresh();
  const org = await createOrganization(
    kv,
    { name: "A", slug: "a-4", ownerId: "usr_owner" },
    clock,
    cryptoRandom,
  );
  const member = { orgId: org.id, userId: "usr_m", role: "member" as const, createdAt: "" };
  await kv.set(accountKeys.membership(org.id, "usr_m"), member);
  await kv.set(accountKeys.membershipByUser("usr_m", org.id), member);
  const outcomes = await Promise.all([
    changeRole(kv, org.id, "usr_m", "admin"),
    changeRole(kv, org.id, "usr_m", "owner"),
  ]);
  assert.deepEqual(outcomes, ["ok", "ok"]);
  const final = (await getMembership(kv, org.id, "usr_m"))!.role;
  assert.ok(final === "admin" || final === "owner");
  // The mirror index was written in the same commit as the primary.
  assert.equal(
    (await kv.get<{ role: string }>(accountKeys.membershipByUser("usr_m", org.id))).value?.role,
    final,
  );
  kv.close();
});
