/**
 * Loads what the verify page (`/verify/:id`) renders on the server: the session's public details
 * and status (the same views the public endpoints answer), the consent so far, and — once the
 * user has consented — the phone credential, so the QR code and the deep link show even without
 * JavaScript. Never any document data (docs/verify-pages.md).
 */
import type { AppContext } from "../../lib/framework/define.ts";
import type { AppLinks } from "../../lib/core/config.ts";
import { ApiError } from "../../lib/http/errors.ts";
import { getOrganization } from "../../lib/accounts/organizations.ts";
import { readSession } from "../../lib/sessions/sessions.ts";
import { getConsent } from "../../lib/sessions/consent.ts";
import { latestAttemptAsRead } from "../../lib/sessions/effective.ts";
import { limitPublicRequest } from "../../lib/sessions/http.ts";
import { toPublicDetails, toPublicStatus } from "../../lib/sessions/public_views.ts";
import { HandoffError, type HandoffResponse, issueHandoff } from "../../lib/handoff/handoff.ts";
import type { ConsentField } from "../../islands/ConsentForm.tsx";
import {
  type DeviceKind,
  deviceKindOf,
  offersQrPairing,
  type PublicStatus,
} from "./verify_status.ts";

/** The handoff as the page shows it (what the phone needs, nothing more). */
export interface PageHandoff {
  expires_at: string;
  deep_link: string;
  /** The QR code's content (lib/handoff/short_link.ts). */
  short_link: string;
}

/** The phone app as the verify pages show it (`KAYLE_APP_*`; a null name names no product). */
export interface PageApp {
  name: string | null;
  iosUrl: string | null;
  androidUrl: string | null;
}

/** The part of the configuration the verify pages pass to their islands. */
export function pageApp(app: AppLinks): PageApp {
  return { name: app.name, iosUrl: app.iosUrl, androidUrl: app.androidUrl };
}

/** The page's view of a session. */
export interface VerifySessionView {
  kind: "session";
  sessionId: string;
  organizationName: string;
  mode: "live" | "test";
  fields: ConsentField[];
  /** The consented keys, or null before consent. */
  consentedKeys: string[] | null;
  status: PublicStatus;
  device: DeviceKind;
  /** The credential minted for this render, or why there is none. */
  handoff: PageHandoff | "phone_busy" | null;
}

/** What the page renders: a session, or why there is none. */
export type VerifyPageView =
  | VerifySessionView
  | { kind: "not_found" }
  | { kind: "rate_limited"; retryAfterSeconds: number };

/** Reads everything the page shows; `withHandoff` mints the phone credential when due. */
export async function loadVerifyPage(
  c: AppContext,
  sessionId: string,
  options: { withHandoff: boolean },
): Promise<VerifyPageView> {
  try {
    await limitPublicRequest(c, "details", sessionId);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 429) {
      return {
        kind: "rate_limited",
        retryAfterSeconds: Number(error.options.headers?.["Retry-After"] ?? 60),
      };
    }
    return { kind: "not_found" };
  }
  const deps = c.var.deps;
  const session = await readSession(deps, sessionId);
  if (!session) return { kind: "not_found" };
  const [org, consent, latest] = await Promise.all([
    getOrganization(deps.kv, session.orgId),
    getConsent(deps.kv, session.id),
    latestAttemptAsRead(deps.kv, session),
  ]);
  const details = toPublicDetails(session, org?.name ?? "", consent);
  const status = toPublicStatus(session, latest);
  const device = deviceKindOf(c.req.header("user-agent"));
  const wantsHandoff = options.withHandoff && consent !== null && !status.is_terminal &&
    (device === "phone" || offersQrPairing(status));
  return {
    kind: "session",
    sessionId: session.id,
    organizationName: details.organization_name,
    mode: details.mode,
    fields: details.share_fields.map((f) => ({
      key: f.key,
      label: f.label,
      description: f.description,
      reason: f.reason,
      required: f.required,
    })),
    consentedKeys: consent?.selectedFieldKeys ?? null,
    status,
    device,
    handoff: wantsHandoff ? await mintForPage(c, session.id) : null,
  };
}

async function mintForPage(
  c: AppContext,
  sessionId: string,
): Promise<PageHandoff | "phone_busy" | null> {
  let handoff: HandoffResponse;
  try {
    handoff = await issueHandoff(c.var.deps, sessionId);
  } catch (error) {
    if (error instanceof HandoffError) {
      return error.code === "SESSION_IN_PROGRESS" ? "phone_busy" : null;
    }
    throw error;
  }
  return {
    expires_at: handoff.expires_at,
    deep_link: handoff.deep_link,
    short_link: handoff.short_link,
  };
}
