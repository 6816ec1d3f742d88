/**
 * One simulation per session at a time, across instances: a KV claim
 * (`["simulation_claims", sessionId]`) taken with a versionstamp-checked commit before the
 * simulated phone runs and released after it. A concurrent request finds the claim and is
 * answered `409 SIMULATION_IN_PROGRESS` (docs/api.md) without touching the session, so it never
 * burns an attempt or sends a failure webhook. A claim left by a crashed instance lapses after
 * {@link SIMULATION_CLAIM_TTL_MS}.
 */
import type { AppDeps } from "../deps.ts";
import { randomToken } from "../core/ids.ts";
import { handoffKeys } from "./handoff.ts";

/** How long a claim holds when its instance dies before releasing it. */
export const SIMULATION_CLAIM_TTL_MS = 5 * 60_000;

interface SimulationClaim {
  owner: string;
  expiresAt: number;
}

/** Takes the session's simulation claim; returns its release, or null when another run holds it. */
export async function claimSimulation(
  deps: Pick<AppDeps, "kv" | "clock" | "random">,
  sessionId: string,
): Promise<(() => Promise<void>) | null> {
  const key = handoffKeys.simulationClaim(sessionId);
  const now = deps.clock.now().getTime();
  const entry = await deps.kv.get<SimulationClaim>(key);
  if (entry.value && entry.value.expiresAt > now) return null;
  const claim: SimulationClaim = {
    owner: randomToken(16, deps.random),
    expiresAt: now + SIMULATION_CLAIM_TTL_MS,
  };
  const taken = await deps.kv.atomic().check(entry).set(key, claim, {
    expireIn: SIMULATION_CLAIM_TTL_MS,
  }).commit();
  if (!taken.ok) return null;
  return async () => {
    const current = await deps.kv.get<SimulationClaim>(key);
    if (current.value?.owner !== claim.owner) return;
    await deps.kv.atomic().check(current).delete(key).commit();
  };
}
