/**
 * An organization's verification policy (docs/document-checks.md): whether a document that proves neither
 * Active nor Chip Authentication may pass (its `risk_score` then says so). Off by default.
 * Key: `["verification_policies", orgId]`.
 */
import { accountKeys } from "./kv_keys.ts";

/** The policy applied to every attempt of the organization's sessions. */
export interface VerificationPolicy {
  /** Accept documents without AA or CA (older passports); their risk score is raised. */
  allowWithoutAntiCloning: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The policy of an organization that never changed it. */
export const DEFAULT_VERIFICATION_POLICY: VerificationPolicy = {
  allowWithoutAntiCloning: false,
  updatedAt: null,
  updatedBy: null,
};

/** Reads an organization's policy (the default when none is stored). */
export async function getVerificationPolicy(
  kv: Deno.Kv,
  orgId: string,
): Promise<VerificationPolicy> {
  return (await kv.get<VerificationPolicy>(accountKeys.verificationPolicy(orgId))).value ??
    DEFAULT_VERIFICATION_POLICY;
}

/** Stores an organization's policy. */
export async function setVerificationPolicy(
  kv: Deno.Kv,
  orgId: string,
  change: { allowWithoutAntiCloning: boolean; by: string; at: Date },
): Promise<VerificationPolicy> {
  const policy: VerificationPolicy = {
    allowWithoutAntiCloning: change.allowWithoutAntiCloning,
    updatedAt: change.at.toISOString(),
    updatedBy: change.by,
  };
  await kv.set(accountKeys.verificationPolicy(orgId), policy);
  return policy;
}
