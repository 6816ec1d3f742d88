/**
 * Sentences the app shows for the server's codes (docs/mobile-protocol.md §3, §5) and the
 * verification outcomes. Codes are stable; the sentences say what the person can do.
 */

const SERVER: Record<string, string> = {
  PROTOCOL_VERSION_UNSUPPORTED: "This version of the app is too old. Update the app and try again.",
  HELLO_REQUIRED: "The app and the server did not understand each other. Update the app.",
  HANDOFF_TOKEN_INVALID:
    "This verification code is not valid. Scan the QR code on the verification page again.",
  SESSION_NOT_FOUND: "This verification does not exist any more. Start again from the website.",
  HANDOFF_TOKEN_EXPIRED:
    "This code has expired (codes last 5 minutes). Refresh the verification page and scan the new code.",
  HANDOFF_TOKEN_CONSUMED:
    "This code was already used and its attempt has ended. Start again from the verification page.",
  HANDOFF_DEVICE_MISMATCH:
    "This verification was started on another phone. Continue on that phone.",
  ATTEMPT_ENDED:
    "This verification was cancelled or has expired. Start again from the verification page.",
  CONNECTION_REPLACED: "This verification continued on another connection of this phone.",
  TOO_MANY_ERRORS: "Too many errors on this connection. Try again.",
  CONNECTION_LOST:
    "The connection to the server was lost. Check your internet connection and try again.",
  CONNECTION_FAILED: "Could not reach the server. Check your internet connection and try again.",
  PHONE_TIMEOUT: "The server did not answer in time. Check your internet connection and try again.",
  IDLE_TIMEOUT: "The connection was idle for too long. Try again to continue where you left off.",
  HELLO_TIMEOUT: "The connection was too slow to start. Try again to continue where you left off.",
  SERVER_SHUTTING_DOWN: "The server is restarting. Try again in a moment to continue.",
  INTERNAL_ERROR: "The server had a problem. Try again to continue where you left off.",
  RESULT_IN_PROGRESS: "Your result is being computed. Wait a moment.",
  CONSENT_REQUIRED: "Give your consent on the verification page first.",
  SESSION_EXPIRED: "This verification has ended. Start again from the website.",
  SESSION_IN_PROGRESS: "This verification is already going on on a phone.",
  NOT_FOUND: "This verification does not exist. Start again from the website.",
  RATE_LIMITED: "Too many tries in a short time. Wait a minute and try again.",
};

/** The sentence for a server error code (a generic one for codes this app does not know). */
export function serverErrorMessage(code: string): string {
  return SERVER[code] ??
    "Something went wrong between the app and the server. Try again; if it persists, start again from the verification page.";
}

const OUTCOMES: Record<string, string> = {
  document_data_invalid: "The document's data could not be read correctly.",
  document_authenticity_failed: "The document's chip could not be shown to be genuine.",
  document_expired: "The document has expired.",
  document_active_authentication_failed: "The chip failed its authenticity check.",
  document_chip_authentication_failed: "The chip failed its authenticity check.",
  selfie_face_mismatch: "The selfie does not match the photo on the document.",
  liveness_failed:
    "The head movements could not be confirmed. Use good light and follow each instruction.",
  consent_declined: "You declined to share your data.",
  session_cancelled: "The verification was cancelled.",
  session_expired: "The verification expired.",
};

/** The sentence for a result: succeeded, or why not. */
export function outcomeMessage(
  status: string,
  failureCode: string | null,
): string {
  if (status === "succeeded") {
    return "You are verified. You can go back to the website.";
  }
  const reason = failureCode ? OUTCOMES[failureCode] ?? "The verification did not succeed." : "";
  return `${reason || "The verification did not succeed."}`;
}

/** What to show for each pose of the challenge. */
export const POSE_INSTRUCTIONS: Record<string, string> = {
  centre: "Look straight at the camera.",
  left: "Turn your head slowly to the left.",
  right: "Turn your head slowly to the right.",
  up: "Tilt your head up.",
  down: "Tilt your head down.",
};
