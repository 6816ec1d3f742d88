import assert from "node:assert/strict";
import { refuseOrphanedJournal } from "./startup_checks.ts";

/** A file system as a sequence of answers: which paths exist at each question. */
function files(...answers: Array<Set<string>>) {
  let asked = 0;
  return (path: string) =>
    Promise.resolve(answers[Math.min(asked++, answers.length - 1)].has(path));
}

const DB = "data/shared/kayle.kv3";

Deno.test("a journal whose database another instance created meanwhile is no orphan", async () => {
  // First look: nothing; then the other instance creates the file and its journal.
  const both = new Set([DB, `${DB}-wal`, `${DB}-shm`]);
  await refuseOrphanedJournal(DB, files(new Set(), both));
});

Deno.test("a journal without its database is refused, telling what to do", async () => {
  const orphan = new Set([`${DB}-wal`, `${DB}-shm`]);
  await assert.rejects(
    refuseOrphanedJournal(DB, files(orphan)),
    /kayle\.kv3 is missing, but its journal[\s\S]*restore the database file from your backup/,
  );
  await refuseOrphanedJournal(DB, files(new Set()));
  await refuseOrphanedJournal(DB, files(new Set([DB, `${DB}-wal`])));
});
