/**
 * Every string of the verify pages (docs/verify-pages.md), in one place so it can be translated: add a
 * `VerifyCopy` object for another language and return it from {@link verifyCopyFor}. Strings that
 * carry values are functions, so word order can change with the language.
 *
 * Imported by the server-rendered page and by the islands in the browser, so it depends on
 * nothing at runtime.
 */
import type { PublicFailureCode } from "../../verify/result.ts";

/** The copy of the verify pages in one language. */
export interface VerifyCopy {
  pageTitle: string;
  testModeBanner: string;
  testModeDetail: string;
  notFoundTitle: string;
  notFoundBody: string;
  tooManyRequests: string;
  consent: {
    heading: (org: string) => string;
    intro: (org: string) => string;
    legend: string;
    required: string;
    optional: string;
    reasonLabel: string;
    whatIsChecked: string;
    checkedList: readonly string[];
    nothingKept: string;
    submit: string;
    submitting: string;
    changeChoice: string;
    failed: string;
  };
  handoff: {
    heading: string;
    /** `app`: the configured app name (`KAYLE_APP_NAME`), or null: then no product is named. */
    phoneIntro: (app: string | null) => string;
    openOnPhone: (app: string | null) => string;
    desktopIntro: (app: string | null) => string;
    qrLabel: string;
    linkIntro: string;
    refreshing: string;
    expiresIn: (minutes: number) => string;
    sameDevice: string;
    inProgress: string;
    failed: string;
    retry: string;
    needsJavaScript: string;
  };
  status: {
    heading: string;
    waiting: string;
    inProgress: string;
    success: string;
    failure: string;
    expired: string;
    cancelled: string;
    attemptFailed: string;
    attemptsRemaining: (n: number) => string;
    connectionLost: string;
  };
  failureCodes: Readonly<Record<PublicFailureCode, string>>;
  unknownFailure: string;
  cancel: {
    button: string;
    confirmQuestion: string;
    confirmYes: string;
    confirmNo: string;
    cancelling: string;
    done: string;
    failed: string;
    used: string;
  };
  finish: {
    redirectingIn: (seconds: number) => string;
    returnNow: string;
    close: string;
    closeHint: string;
  };
  phoneLanding: {
    heading: string;
    intro: (app: string | null) => string;
    open: (app: string | null) => string;
    /** What the user needs when no app took the link over. */
    needs: (app: string | null) => string;
    storeLinks: string;
    resolving: string;
    expired: string;
    noApp: (app: string | null) => string;
    badLink: string;
  };
  simulate: {
    heading: string;
    intro: string;
    scenarioLabel: string;
    run: string;
    running: string;
    started: string;
    failed: string;
    scenarios: Readonly<Record<string, string>>;
  };
}

/** English copy (the default language). */
export const VERIFY_COPY_EN: VerifyCopy = {
  pageTitle: "Verify your identity",
  testModeBanner: "Test mode",
  testModeDetail: "This is a test session: no real identity is checked and no real data is shared.",
  notFoundTitle: "Verification not found",
  notFoundBody:
    "This verification link is not valid. Go back to the site that sent you and start again.",
  tooManyRequests: "Too many requests in a short time. Wait a minute and reload the page.",
  consent: {
    heading: (org) => `${org} asks to verify your identity`,
    intro: (org) =>
      `${org} will receive only the information you agree to share below. Your phone reads the ` +
      `chip in your passport and takes a selfie to confirm it is you.`,
    legend: "Information to share",
    required: "Required",
    optional: "Optional",
    reasonLabel: "Why:",
    whatIsChecked: "What is checked",
    checkedList: [
      "The passport chip's digital signature, to prove the passport is genuine and unchanged.",
      "That the chip is not a copy and that the passport has not expired.",
      "That your selfie matches the photo stored on the chip.",
    ],
    nothingKept:
      "Nothing is kept: your passport data, photo and selfie are checked in memory and deleted " +
      "straight away. Only the information you choose is sent, encrypted, to the organization.",
    submit: "Agree and continue",
    submitting: "Saving your choice…",
    changeChoice: "Change what I share",
    failed: "Your choice could not be saved. Check your connection and try again.",
  },
  handoff: {
    heading: "Continue on your phone",
    phoneIntro: (app) =>
      `Open ${
        app ?? "your identity verification app"
      } to read your passport chip with your phone's NFC reader and take a selfie.`,
    openOnPhone: (app) => `Open ${app ?? "the verification app"}`,
    desktopIntro: (app) =>
      "Scan this code with your phone's camera. " +
      (app
        ? `${app} opens and guides you through reading your passport and taking a selfie.`
        : "Your phone then shows how to read your passport chip and take a selfie."),
    qrLabel: "QR code with the link that continues this verification on your phone",
    linkIntro: "Or open this link on your phone:",
    refreshing: "Preparing a fresh code…",
    expiresIn: (minutes) =>
      `The code renews itself automatically (valid for about ${minutes} minute${
        minutes === 1 ? "" : "s"
      }).`,
    sameDevice:
      "You started on a phone: continue there. For your security, only that phone can finish this verification.",
    inProgress: "Your phone is connected. Follow the steps on your phone.",
    failed: "The code for your phone could not be created.",
    retry: "Try again",
    needsJavaScript:
      "Without JavaScript this code does not renew itself: reload the page if your phone says it expired.",
  },
  status: {
    heading: "Status",
    waiting: "Waiting for your phone…",
    inProgress: "Continue on your phone: it reads your passport chip and checks your selfie…",
    success: "You are verified. Your identity was confirmed.",
    failure: "The verification could not be completed.",
    expired: "This verification has expired. Go back to the site that sent you to start again.",
    cancelled: "This verification was cancelled.",
    attemptFailed: "That attempt did not work.",
    attemptsRemaining: (n) =>
      n === 0 ? "No attempts left." : `You can try again: ${n} attempt${n === 1 ? "" : "s"} left.`,
    connectionLost: "Reconnecting… the status will update when the connection is back.",
  },
  failureCodes: {
    document_data_invalid:
      "The passport data could not be read correctly. Hold the phone still on the passport and try again.",
    document_authenticity_failed:
      "The passport's digital signature could not be confirmed, so it could not be accepted as genuine.",
    document_expired: "This passport has expired. Use a valid passport.",
    document_active_authentication_failed:
      "The passport chip did not prove it is the original. Try again, holding the phone still.",
    document_chip_authentication_failed:
      "The secure connection to the passport chip failed. Try again, holding the phone still.",
    selfie_face_mismatch:
      "Your selfie did not match the photo in the passport. Use good light, face the camera and try again.",
    liveness_failed:
      "We could not confirm that a live person took the selfie. Face the camera directly and try again.",
    consent_declined: "The information required for this verification was not agreed to.",
    session_expired: "The time for this verification ran out.",
    session_cancelled: "The verification was cancelled.",
    handoff_superseded: "A newer code replaced the one that was used. Scan the latest code.",
  },
  unknownFailure: "Something went wrong during the check. Try again.",
  cancel: {
    button: "Cancel verification",
    confirmQuestion:
      "Cancel this verification? You will have to start again from the site that sent you.",
    confirmYes: "Yes, cancel",
    confirmNo: "No, continue",
    cancelling: "Cancelling…",
    done: "The verification was cancelled.",
    failed: "The verification could not be cancelled. Try again.",
    used: "This cancel link was already used.",
  },
  finish: {
    redirectingIn: (seconds) => `Taking you back in ${seconds} second${seconds === 1 ? "" : "s"}…`,
    returnNow: "Return now",
    close: "Close this page",
    closeHint: "You can now close this page.",
  },
  phoneLanding: {
    heading: "Continue on this phone",
    intro: (app) =>
      `This link hands your verification to ${
        app ?? "an identity verification app on this phone"
      }, which reads your passport chip and takes a selfie.`,
    open: (app) => `Open ${app ?? "the verification app"}`,
    needs: (app) =>
      app
        ? `You need ${app} and a phone that can read NFC chips (most recent phones can).`
        : "You need a phone that can read NFC chips (most recent phones can) and an identity " +
          "verification app that reads passport chips. The site that sent you here tells you which " +
          "app to use.",
    storeLinks: "Get the app:",
    resolving: "Preparing your verification…",
    expired: "This code has expired. Show the code again on the verification page and scan it.",
    noApp: (app) =>
      `If nothing happens, install ${
        app ?? "the verification app"
      }, then scan the code on the verification page again.`,
    badLink: "This link is incomplete. Scan the code on the verification page again.",
  },
  simulate: {
    heading: "Simulate the phone",
    intro:
      "Test mode only: run the reference phone client with a synthetic test passport instead of a real phone.",
    scenarioLabel: "Scenario",
    run: "Run the phone",
    running: "Running the simulated phone…",
    started: "The simulated phone finished; the status above updates.",
    failed: "The simulation could not run.",
    scenarios: {},
  },
};

/** The copy for a language tag; English for every language not translated yet. */
export function verifyCopyFor(_language?: string): VerifyCopy {
  return VERIFY_COPY_EN;
}

/** The plain-language message of a failure code (a generic one for codes not known here). */
export function failureMessage(copy: VerifyCopy, code: string | null): string {
  if (code && Object.hasOwn(copy.failureCodes, code)) {
    return copy.failureCodes[code as PublicFailureCode];
  }
  return copy.unknownFailure;
}
