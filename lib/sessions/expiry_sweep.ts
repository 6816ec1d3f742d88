/**
 * The expiry sweep (docs/api.md#lifecycle): every minute a `Deno.cron` job, under a KV lease so that two
 * instances never run it together, expires every session past its 60 minutes, emitting
 * `verification.session.expired` once per session (the transition itself is race-safe, the lease
 * only avoids duplicate work). Reads also expire lazily, so the sweep is what makes the event
 * arrive on time for sessions nobody reads. Tests call {@link expireDueSessions} directly with a
 * `ManualClock`.
 *
 * Key read: `["sessions_by_expiry", expiresAtMs, id]` (removed by the terminal transition).
 */
import type { AppDeps } from "../deps.ts";
import type { BackgroundHandle } from "../background.ts";
import { withLease } from "../core/lease.ts";
import { randomAlphanumeric } from "../core/ids.ts";
import { expireSession } from "./lifecycle.ts";

/** Name of the cron job and of its lease. */
export const EXPIRY_SWEEP_NAME = "sessions_expiry_sweep";

/** Sessions expired per sweep run at most (the next minute continues). */
export const SWEEP_BATCH = 1000;

/** Expires sessions whose expiry time has passed; returns how many it found expired. */
export async function expireDueSessions(
  deps: AppDeps,
  options: { limit?: number } = {},
): Promise<number> {
  const now = deps.clock.now().getTime();
  const due: string[] = [];
  const selector = { start: ["sessions_by_expiry"], end: ["sessions_by_expiry", now + 1] };
  for await (const e of deps.kv.list<string>(selector, { limit: options.limit ?? SWEEP_BATCH })) {
    due.push(e.value);
  }
  let expired = 0;
  for (const id of due) {
    const session = await expireSession(deps, id);
    if (session?.status === "expired") expired++;
  }
  return expired;
}

/** Runs one sweep under the lease; returns whether this instance held it. */
export async function runExpirySweep(deps: AppDeps, holder: string): Promise<boolean> {
  return await withLease(deps.kv, EXPIRY_SWEEP_NAME, holder, 55_000, deps.clock, async () => {
    const expired = await expireDueSessions(deps);
    if (expired) deps.logger.info("sessions.expired", { count: expired });
  });
}

// Deno.cron cannot be unregistered and names are unique per process: register once and point it
// at whichever instance started last (tests and benchmarks may start several servers).
let active: { deps: AppDeps; holder: string } | null = null;
let cronRegistered = false;

/** Starts the minutely sweep for these dependencies (wired by `lib/platform.ts`). */
export function startExpirySweep(deps: AppDeps): Promise<BackgroundHandle> {
  const holder = `sweep_${randomAlphanumeric(16, deps.random)}`;
  active = { deps, holder };
  if (!cronRegistered && typeof Deno.cron === "function") {
    cronRegistered = true;
    Deno.cron(EXPIRY_SWEEP_NAME, "* * * * *", async () => {
      const current = active;
      if (!current) return;
      try {
        await runExpirySweep(current.deps, current.holder);
      } catch (error) {
        current.deps.logger.error("sessions.sweep_failed", { error_class: (error as Error).name });
      }
    });
  }
  return Promise.resolve({
    stop() {
      if (active?.holder === holder) active = null;
      return Promise.resolve();
    },
  });
}
