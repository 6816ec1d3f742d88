/**
 * The verify page's forms without JavaScript: the consent form and the two-step cancel post to
 * the page itself and land back on it (post/redirect/get). They call the same functions as the
 * public endpoints (docs/verify-pages.md), with the same rate limits.
 */
import type { AppContext } from "../../lib/framework/define.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { ConsentError, recordConsent } from "../../lib/sessions/consent.ts";
import { cancelSessionWithToken, CancelTokenError } from "../../lib/sessions/cancel_tokens.ts";
import { limitPublicRequest } from "../../lib/sessions/http.ts";
import { SessionStateError } from "../../lib/sessions/types.ts";
import { verifyCopyFor } from "../../lib/i18n/verify_copy.ts";
import { readForm } from "../../lib/http/forms.ts";

/** A message shown above the page after a form post. */
export interface FormNotice {
  about: "consent" | "cancel" | "request";
  tone: "error" | "info";
  message: string;
}

/** What a form post leads to: back to the page, or the page again with a question or notice. */
export type FormOutcome =
  | { kind: "redirect" }
  | { kind: "render"; confirmCancel: boolean; notice: FormNotice | null };

/** The page's own address, with its cancel token when it has one. */
export function verifyPageUrl(sessionId: string, cancelToken: string | null): string {
  const base = `/verify/${encodeURIComponent(sessionId)}`;
  return cancelToken ? `${base}?cancel_token=${encodeURIComponent(cancelToken)}` : base;
}

/** Handles a form post to `/verify/:id` (`intent` = consent, cancel_request or cancel). */
export async function handleVerifyForm(
  c: AppContext,
  sessionId: string,
  cancelToken: string | null,
): Promise<FormOutcome> {
  const body = await readForm(c, { all: true });
  const intent = String(body.intent ?? "");
  try {
    if (intent === "consent") {
      await limitPublicRequest(c, "consent", sessionId);
      const selected = [body.selected ?? []].flat().map(String);
      await recordConsent(c.var.deps, sessionId, selected);
      return { kind: "redirect" };
    }
    if (intent === "cancel_request" && cancelToken) {
      return { kind: "render", confirmCancel: true, notice: null };
    }
    if (intent === "cancel" && cancelToken) {
      await limitPublicRequest(c, "cancel", sessionId);
      await cancelSessionWithToken(c.var.deps, sessionId, cancelToken);
      return { kind: "redirect" };
    }
    return { kind: "redirect" };
  } catch (error) {
    return { kind: "render", confirmCancel: false, notice: noticeOf(error, intent) };
  }
}

function noticeOf(error: unknown, intent: string): FormNotice {
  const copy = verifyCopyFor();
  const about = intent === "consent" ? "consent" : "cancel";
  if (error instanceof ApiError) {
    const message = error.status === 429 ? copy.tooManyRequests : copy.notFoundBody;
    return { about: "request", tone: "error", message };
  }
  if (error instanceof CancelTokenError) {
    const message = error.code === "CANCEL_TOKEN_USED" ? copy.cancel.used : copy.cancel.failed;
    return { about, tone: "error", message };
  }
  if (error instanceof ConsentError || error instanceof SessionStateError) {
    return {
      about,
      tone: "error",
      message: about === "consent" ? copy.consent.failed : copy.cancel.failed,
    };
  }
  throw error;
}
