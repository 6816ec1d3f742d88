/**
 * Data migrations, run by `startServer` before the server answers: each one runs once per KV
 * (`["migrations", name]` records that it finished), under a KV lease so that several instances
 * starting together on one KV run it once; the others wait for its record.
 */
import type { AppDeps } from "../deps.ts";
import { acquireLease, type Lease, releaseLease } from "../core/lease.ts";
import { randomAlphanumeric } from "../core/ids.ts";
import { migrateModeIndexes } from "./mode_indexes.ts";
import { migrateEventTypeIndex } from "./event_type_index.ts";
import { coreKeys } from "../core/kv.ts";
import { migrateStatusIndexes } from "./status_indexes.ts";

/** A named migration. */
export interface Migration {
  name: string;
  /** Counts of what it changed, for the log. */
  run(deps: AppDeps): Promise<object>;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  { name: "2026_12_mode_scoped_indexes", run: migrateModeIndexes },
  { name: "2026_12_event_type_index", run: migrateEventTypeIndex },
  { name: "2026_12_status_endpoint_indexes", run: migrateStatusIndexes },
];

const LEASE_MS = 10 * 60_000;
const POLL_MS = 100;
/** How often a start that waits for another's migration says so in the log. */
const WAITING_LOG_MS = 30_000;

/** Runs the migrations this KV has not run yet; returns the names it ran. */
export async function runMigrations(
  deps: AppDeps,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  const ran: string[] = [];
  const holder = `migrate_${randomAlphanumeric(16, deps.random)}`;
  for (const migration of migrations) {
    const done = coreKeys.migration(migration.name);
    let saidWaiting = -Infinity;
    for (;;) {
      if ((await deps.kv.get(done)).value) break;
      const lease = `migration:${migration.name}`;
      if (!await acquireLease(deps.kv, lease, holder, LEASE_MS, deps.clock)) {
        // Another instance is migrating — or was, and stopped without releasing its lease: wait
        // for its record (real time; the lease bounds it), saying so, as the server is not
        // answering meanwhile (docs/self-hosting.md, "Upgrading").
        if (performance.now() - saidWaiting >= WAITING_LOG_MS) {
          saidWaiting = performance.now();
          const held = (await deps.kv.get<Lease>(coreKeys.lease(lease))).value;
          deps.logger.warn("migration.waiting", {
            migration: migration.name,
            held_by: held?.holder ?? "",
            until: held ? new Date(held.expiresAt).toISOString() : "",
          });
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      try {
        if (!(await deps.kv.get(done)).value) {
          const report = await migration.run(deps);
          await deps.kv.set(done, { completedAt: deps.clock.now().toISOString() });
          const counts = Object.fromEntries(
            Object.entries(report).filter(([, v]) => typeof v === "number"),
          ) as Record<string, number>;
          deps.logger.info("migration.done", { migration: migration.name, ...counts });
          ran.push(migration.name);
        }
      } finally {
        await releaseLease(deps.kv, lease, holder);
      }
      break;
    }
  }
  return ran;
}
