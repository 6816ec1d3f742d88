/**
 * Test and live are two worlds (docs/api.md, "Test and live"): every object an API key can reach
 * belongs to an organization AND a mode, and every lookup and list of the data layer takes both.
 * Lists read an index keyed `[…_by_org, orgId, mode, …]`, so they never filter a mixed history.
 */
import type { KeyMode } from "../api_keys/api_keys.ts";

/** The world a list reads: one organization, one mode. */
export interface OrgMode {
  orgId: string;
  mode: KeyMode;
}

/**
 * The world a single lookup accepts: API keys always pass their mode; only the dashboard's detail
 * pages, which show the mode as a badge, pass `"any"` explicitly.
 */
export interface OrgLookup {
  orgId: string;
  mode: KeyMode | "any";
}

/** True when a record with `orgId` and `mode` belongs to `scope`. */
export function inScope(
  record: { orgId: string; mode: KeyMode },
  scope: OrgLookup,
): boolean {
  return record.orgId === scope.orgId && (scope.mode === "any" || record.mode === scope.mode);
}

/** The two modes, in the order the dashboard shows them. */
export const MODES: readonly KeyMode[] = ["test", "live"];
