/**
 * The KV keys of the accounts layer (users, organizations and memberships, invitations,
 * passkeys, dashboard sessions, sign-in throttling, verification policies), in one place so every
 * module spells them the same way (ARCHITECTURE.md, "Data-layer convention"). Builders ending in
 * `Prefix` name a list's prefix; the others name one entry.
 */
export const accountKeys = {
  user: (id: string) => ["users", id] as const,
  usersPrefix: () => ["users"] as const,
  /** `email` already normalised; the value is the user id (unique). */
  userByEmail: (email: string) => ["users_by_email", email] as const,
  /** The first-run setup token (its keyed hash). */
  /** One per start that printed a link (its keyed hash): instances started together each work. */
  setupToken: (tokenHash: string) => ["setup_tokens", tokenHash] as const,
  /** Set with the first user: no setup token can be issued or used after it. */
  setupClosed: () => ["setup_closed"] as const,
  instanceOwner: () => ["instance_owner"] as const,
  organization: (id: string) => ["organizations", id] as const,
  organizationsPrefix: () => ["organizations"] as const,
  organizationBySlug: (slug: string) => ["organizations_by_slug", slug] as const,
  membership: (orgId: string, userId: string) => ["memberships", orgId, userId] as const,
  membershipsPrefix: (orgId: string) => ["memberships", orgId] as const,
  membershipByUser: (userId: string, orgId: string) =>
    ["memberships_by_user", userId, orgId] as const,
  membershipsByUserPrefix: (userId: string) => ["memberships_by_user", userId] as const,
  invitation: (tokenHash: string) => ["invitations", tokenHash] as const,
  invitationByOrg: (orgId: string, id: string) => ["invitations_by_org", orgId, id] as const,
  invitationsByOrgPrefix: (orgId: string) => ["invitations_by_org", orgId] as const,
  passkey: (credentialId: string) => ["passkeys", credentialId] as const,
  passkeyByUser: (userId: string, credentialId: string) =>
    ["passkeys_by_user", userId, credentialId] as const,
  passkeysByUserPrefix: (userId: string) => ["passkeys_by_user", userId] as const,
  passkeyChallenge: (challenge: string) => ["passkey_challenges", challenge] as const,
  dashboardSession: (sessionHash: string) => ["dashboard_sessions", sessionHash] as const,
  signInFailures: (kind: "address" | "account", id: string) =>
    ["sign_in_failures", kind, id] as const,
  verificationPolicy: (orgId: string) => ["verification_policies", orgId] as const,
};
