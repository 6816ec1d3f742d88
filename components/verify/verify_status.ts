/**
 * What the verify page shows for a public session status (docs/verify-pages.md `GET .../status`): the phase
 * the user is in and its plain-language message. Pure functions shared by the server render and
 * the islands, so the first paint and the live updates always agree.
 */
import { failureMessage, type VerifyCopy } from "../../lib/i18n/verify_copy.ts";

/** The public status object, as `GET /v1/verify/session/:id/status` returns it. */
export interface PublicStatus {
  session_id: string;
  status: "created" | "in_progress" | "completed" | "expired" | "cancelled";
  is_terminal: boolean;
  same_device_only: boolean;
  attempts_remaining: number;
  latest_attempt: { id: string; status: string; failure_code: string | null } | null;
  redirect_url: string | null;
}

/** The phases the live status shows. */
export type VerifyPhase =
  | "waiting"
  | "in_progress"
  | "retry"
  | "success"
  | "failure"
  | "expired"
  | "cancelled";

/** Phases after which nothing can change. */
export const FINAL_PHASES: readonly VerifyPhase[] = ["success", "failure", "expired", "cancelled"];

/** The phase of a status. */
export function phaseOf(status: PublicStatus): VerifyPhase {
  const latest = status.latest_attempt;
  switch (status.status) {
    case "completed":
      return latest?.status === "succeeded" ? "success" : "failure";
    case "expired":
      return "expired";
    case "cancelled":
      return "cancelled";
    default:
      if (latest?.status === "failed") return "retry";
      // A claimed attempt makes the session `in_progress` (docs/api.md#lifecycle).
      return status.status === "in_progress" ? "in_progress" : "waiting";
  }
}

/** A phase's message: a headline, and a detail line when there is more to say. */
export interface StatusMessage {
  phase: VerifyPhase;
  headline: string;
  detail: string | null;
  /** How the message is styled: neutral progress, good news or bad news. */
  tone: "info" | "success" | "error";
}

/** A failed attempt the page saw earlier (the status shows only the newest attempt). */
export interface EarlierFailure {
  attemptId: string;
  failureCode: string | null;
}

/** The failure to remember from a status, if its newest attempt failed. */
export function failureOf(status: PublicStatus): EarlierFailure | null {
  const latest = status.latest_attempt;
  return latest?.status === "failed"
    ? { attemptId: latest.id, failureCode: latest.failure_code }
    : null;
}

/**
 * The message the live status shows for a status. After a failed attempt a new handoff starts a
 * new attempt, which hides the failure from the status: `earlier` keeps it on screen as detail.
 */
export function statusMessage(
  copy: VerifyCopy,
  status: PublicStatus,
  earlier: EarlierFailure | null = null,
): StatusMessage {
  const phase = phaseOf(status);
  const failure = failureMessage(copy, status.latest_attempt?.failure_code ?? null);
  const previous = earlier && earlier.attemptId !== status.latest_attempt?.id
    ? `${copy.status.attemptFailed} ${failureMessage(copy, earlier.failureCode)} ` +
      copy.status.attemptsRemaining(status.attempts_remaining)
    : null;
  switch (phase) {
    case "waiting":
      return { phase, headline: copy.status.waiting, detail: previous, tone: "info" };
    case "in_progress":
      return { phase, headline: copy.status.inProgress, detail: previous, tone: "info" };
    case "retry":
      return {
        phase,
        headline: `${copy.status.attemptFailed} ${failure}`,
        detail: copy.status.attemptsRemaining(status.attempts_remaining),
        tone: "error",
      };
    case "success":
      return { phase, headline: copy.status.success, detail: null, tone: "success" };
    case "failure":
      return { phase, headline: copy.status.failure, detail: failure, tone: "error" };
    case "expired":
      return { phase, headline: copy.status.expired, detail: null, tone: "error" };
    case "cancelled":
      return { phase, headline: copy.status.cancelled, detail: null, tone: "info" };
  }
}

/** True when the page should offer QR pairing to another phone (docs/verify-pages.md: not once bound). */
export function offersQrPairing(status: PublicStatus): boolean {
  return !status.is_terminal && !status.same_device_only;
}

/** Phone or desktop, judged from the User-Agent (the handoff differs, docs/verify-pages.md). */
export type DeviceKind = "phone" | "desktop";

/** Phones and tablets get the deep-link button; everything else the QR code. */
export function deviceKindOf(userAgent: string | undefined): DeviceKind {
  return /Mobi|Android|iPhone|iPad|iPod/i.test(userAgent ?? "") ? "phone" : "desktop";
}

/**
 * When to ask for a fresh handoff token: 30 s before it expires, but never sooner than 10 s
 * (a skewed browser clock must not cause a request storm) nor later than the 5-minute lifetime.
 */
export function handoffRefreshDelayMs(expiresAt: string, nowMs: number): number {
  const lead = 30_000;
  const untilRefresh = Date.parse(expiresAt) - nowMs - lead;
  if (!Number.isFinite(untilRefresh)) return 60_000;
  return Math.min(Math.max(untilRefresh, 10_000), 5 * 60_000 - lead);
}
