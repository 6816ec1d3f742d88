/**
 * The HTTP side of test-mode simulation, shared by `POST /v1/test_helpers/sessions/:id/simulate`
 * (test API keys) and `POST /v1/verify/session/:id/test_simulate` (the verify page's panel): the
 * request and result schemas, the live-session refusal, and the run with its error mapping.
 */
import { z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../http/errors.ts";
import type { SessionRecord } from "../sessions/types.ts";
import { PhoneProtocolError, SCENARIO_NAMES } from "../../phone/mod.ts";
import { simulateSession } from "./simulate.ts";
import { claimSimulation } from "./simulation_claim.ts";

/** `{scenario}`: one of the reference phone's scenarios (default `success`). */
export const simulationRequestSchema = z.object({
  scenario: z.enum(SCENARIO_NAMES as [string, ...string[]]).default("success"),
}).strict().openapi("SimulationRequest");

/** What a simulation answers. */
export const simulationResultSchema = z.object({
  session_id: z.string(),
  attempt_id: z.string(),
  scenario: z.string(),
  attempt_status: z.string(),
  failure_code: z.string().nullable(),
  session_status: z.string().nullable(),
  attempts_remaining: z.number().int(),
}).openapi("SimulationResult");

/** The result object of the API. */
export type SimulationResultObject = z.infer<typeof simulationResultSchema>;

/** Refuses live sessions with 403 `TEST_MODE_ONLY`. */
export function requireTestSession(session: SessionRecord, message: string): void {
  if (session.mode !== "test") throw new ApiError(403, "TEST_MODE_ONLY", message);
}

/**
 * Runs the reference phone on a test session; protocol refusals become 409 with their code. One
 * run per session at a time (a KV claim): the others get 409 `SIMULATION_IN_PROGRESS`.
 */
export async function runSimulation(
  deps: AppDeps,
  sessionId: string,
  scenario: string,
): Promise<SimulationResultObject> {
  const release = await claimSimulation(deps, sessionId);
  if (!release) {
    throw new ApiError(
      409,
      "SIMULATION_IN_PROGRESS",
      "A simulation of this session is already running.",
      { hint: "Wait for it to answer, then read the session or simulate again." },
    );
  }
  const result = await simulateSession(deps, sessionId, scenario).catch((error) => {
    if (error instanceof PhoneProtocolError) throw new ApiError(409, error.code, error.message);
    throw error;
  }).finally(release);
  return {
    session_id: result.sessionId,
    attempt_id: result.attemptId,
    scenario: result.scenario,
    attempt_status: result.status,
    failure_code: result.failureCode,
    session_status: result.sessionStatus,
    attempts_remaining: result.attemptsRemaining,
  };
}
