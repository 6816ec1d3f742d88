/**
 * The one place session and attempt records are written. The list indexes (`sessions_by_org`,
 * `sessions_by_org_status`, `attempts_by_org`, `attempts_by_org_status`) hold the record itself,
 * so a page of a list is one range read (docs/performance.md, "Lists read one page"); writing the
 * record and its index copies together here is what keeps a list from ever showing a stale copy.
 * `tests/data_layer_test.ts` fails when product code writes these keys anywhere else. Entries
 * written by earlier versions hold the id and are read through the record
 * (`lib/core/index_page.ts`).
 */
import { type AttemptRecord, sessionKeys, type SessionRecord } from "./types.ts";

/** Writes `after` (over `before`, or new) with its list index entries; moves the status entry. */
export function putSession(
  op: Deno.AtomicOperation,
  before: SessionRecord | null,
  after: SessionRecord,
): void {
  op.set(sessionKeys.session(after.id), after).set(sessionKeys.byOrg(after), after);
  if (before && before.status !== after.status) op.delete(sessionKeys.byOrgStatus(before));
  op.set(sessionKeys.byOrgStatus(after), after);
}

/** Writes attempt `after` (over `before`, or new) with its list index entries. */
export function putAttempt(
  op: Deno.AtomicOperation,
  before: AttemptRecord | null,
  after: AttemptRecord,
): void {
  op.set(sessionKeys.attempt(after.id), after).set(sessionKeys.attemptByOrg(after), after);
  if (before && before.status !== after.status) op.delete(sessionKeys.attemptByOrgStatus(before));
  op.set(sessionKeys.attemptByOrgStatus(after), after);
  if (!before) op.set(sessionKeys.attemptBySession(after), after.id);
}
