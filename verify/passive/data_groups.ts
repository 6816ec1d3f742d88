/**
 * Data-group hashes: every uploaded DG covered by the SOD must hash to the SOD's value (over the
 * whole file, tag and length included); required DGs must be both listed (else `dg_not_covered`)
 * and uploaded (else `dg_missing`).
 */
import { bytesEqual } from "../asn1/mod.ts";
import type { ParsedSod } from "../cms/mod.ts";
import { digest } from "../crypto/mod.ts";
import type { PassiveAuthFailure } from "./result.ts";

/** Outcome of `checkDataGroups`. */
export type DataGroupCheck =
  | { ok: true; verified: Map<number, Uint8Array>; warnings: string[] }
  | { ok: false; reason: PassiveAuthFailure; detail: string };

/**
 * Compares uploaded DGs with the SOD. An uploaded DG the SOD does not list is not an error but is
 * left out of `verified` (its content is unauthenticated) and reported as "dg_not_covered:DGn".
 */
export async function checkDataGroups(
  sod: ParsedSod,
  dataGroups: Map<number, Uint8Array>,
  required: number[],
): Promise<DataGroupCheck> {
  for (const dg of required) {
    if (!sod.dataGroupHashes.has(dg)) {
      return { ok: false, reason: "dg_not_covered", detail: `DG${dg} is not listed in the SOD` };
    }
    if (!dataGroups.has(dg)) {
      return { ok: false, reason: "dg_missing", detail: `DG${dg} was not provided` };
    }
  }
  const verified = new Map<number, Uint8Array>();
  const warnings: string[] = [];
  for (const [dg, bytes] of [...dataGroups].sort((a, b) => a[0] - b[0])) {
    const expected = sod.dataGroupHashes.get(dg);
    if (!expected) {
      warnings.push(`dg_not_covered:DG${dg}`);
      continue;
    }
    const actual = await digest(sod.hashAlgorithm, bytes);
    if (!bytesEqual(actual, expected)) {
      return { ok: false, reason: "dg_hash_mismatch", detail: `DG${dg} hash differs from the SOD` };
    }
    verified.set(dg, actual);
  }
  return { ok: true, verified, warnings };
}
