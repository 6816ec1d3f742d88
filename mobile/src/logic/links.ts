/**
 * The handoff links the app opens (docs/mobile-protocol.md §1): `kayleid://verify?…` (the
 * verify page's QR code and same-device button) and its https form
 * `<server>/verify/<vs_id>/phone#…` (or another page of the server with the credential in the
 * fragment; the WebSocket is then on that page's origin). They carry `session_id`, `token` and
 * `mobile_url`.
 *
 * A link is accepted only when its server is one the app is configured for (`allowedServers`),
 * its WebSocket is on that same origin (`wss:` for `https:`), and — for an https link — the page
 * that carries it is on that origin too. Anything else is refused with a stable code: a QR code
 * can come from anywhere, and the handoff token must only ever go to a trusted server.
 *
 * The verify page's QR code carries the short form `<server>/h#<43 base64url characters>`
 * (docs/mobile-protocol.md "Short link"): {@link parseShortLink} accepts it under the same server
 * rules, and the flow resolves it with `POST /v1/verify/handoff/resolve` to the full link above.
 */
import type { AppConfig } from "./config.ts";

/** A parsed, accepted handoff link. Keep it in memory only (the token opens the attempt). */
export interface HandoffLink {
  /** The server's base URL for the public HTTP endpoints (no trailing slash). */
  baseUrl: string;
  sessionId: string;
  token: string;
  mobileUrl: string;
}

/** Why a link was refused. */
export type LinkErrorCode =
  | "link_invalid"
  | "not_a_handoff_link"
  | "server_not_allowed"
  | "server_mismatch"
  | "insecure_connection";

const MESSAGES: Record<LinkErrorCode, string> = {
  link_invalid: "This is not a verification code. Scan the QR code shown on the verification page.",
  not_a_handoff_link:
    "This is the verification page itself. Open it in the browser and choose to continue on your phone, then scan the QR code it shows.",
  server_not_allowed:
    "This verification comes from a server this app does not work with. Nothing was sent.",
  server_mismatch:
    "This link points to two different servers and was refused for your safety. Nothing was sent.",
  insecure_connection:
    "This link would send your data over an unencrypted connection and was refused. Nothing was sent.",
};

/** The sentence for a refused link. */
export function linkErrorMessage(code: LinkErrorCode): string {
  return MESSAGES[code];
}

/** A refused link. */
export class LinkError extends Error {
  constructor(readonly code: LinkErrorCode) {
    super(MESSAGES[code]);
    this.name = "LinkError";
  }
}

const SESSION_ID = /^vs_[a-z0-9]{64}$/;
const TOKEN = /^[0-9a-f]{64}$/;

/** A short link accepted for resolving: the server it names and the code in its fragment. */
export interface ShortLink {
  baseUrl: string;
  code: string;
}

const SHORT_CODE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The short link `<server>[/prefix]/h#<code>` checked against the configuration, or null when the
 * input is not of that form (it may still be a full handoff link). Refuses a server the app is not
 * configured for before anything is sent, like {@link parseHandoffLink}.
 */
export function parseShortLink(
  input: string,
  config: Pick<AppConfig, "allowedServers">,
): ShortLink | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  const prefix = url.pathname.match(/^(.*)\/h\/?$/);
  const code = url.hash.slice(1);
  if (!prefix || url.search || !SHORT_CODE.test(code)) return null;
  if (!config.allowedServers.includes(url.origin)) {
    const secure = `https://${url.host}`;
    if (url.protocol === "http:" && config.allowedServers.includes(secure)) {
      throw new LinkError("insecure_connection");
    }
    throw new LinkError("server_not_allowed");
  }
  return { baseUrl: `${url.origin}${prefix[1]}`, code };
}

/** Parses and checks a scanned or opened link against the configuration. */
export function parseHandoffLink(
  input: string,
  config: Pick<AppConfig, "allowedServers">,
): HandoffLink {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new LinkError("link_invalid");
  }
  let params: URLSearchParams;
  let pageOrigin: string | null = null;
  let pathSession: string | null = null;
  let pagePrefix = "";
  if (url.protocol === "kayleid:") {
    params = new URLSearchParams(url.search);
  } else if (url.protocol === "https:" || url.protocol === "http:") {
    // The https form: `<server>/verify/<vs_id>/phone#…`, or any page of the server whose fragment
    // carries the credential (the WebSocket URL may then be left out: it is on the page's origin).
    params = new URLSearchParams(url.hash.slice(1));
    pageOrigin = url.origin;
    const phone = url.pathname.match(
      /^(.*)\/verify\/(vs_[a-z0-9]{64})(\/phone)?\/?$/,
    );
    if (phone) {
      pagePrefix = phone[1];
      pathSession = phone[2];
    }
    if (!params.get("token")) {
      throw new LinkError(
        phone && !phone[3] ? "not_a_handoff_link" : "link_invalid",
      );
    }
  } else {
    throw new LinkError("link_invalid");
  }
  const sessionId = params.get("session_id") ?? pathSession ?? "";
  const token = params.get("token") ?? "";
  if (pathSession && pathSession !== sessionId) {
    throw new LinkError("link_invalid");
  }
  if (params.get("v") !== null && params.get("v") !== "1") {
    throw new LinkError("link_invalid");
  }
  if (!SESSION_ID.test(sessionId) || !TOKEN.test(token)) {
    throw new LinkError("link_invalid");
  }
  let mobileUrlText = params.get("mobile_url") ?? "";
  if (!mobileUrlText && pageOrigin) {
    const ws = pageOrigin.replace(/^http/, "ws");
    mobileUrlText = `${ws}${pagePrefix}/v1/verify/session/${sessionId}/mobile`;
  }
  let mobileUrl: URL;
  try {
    mobileUrl = new URL(mobileUrlText);
  } catch {
    throw new LinkError("link_invalid");
  }
  if (mobileUrl.protocol !== "wss:" && mobileUrl.protocol !== "ws:") {
    throw new LinkError("link_invalid");
  }
  const suffix = `/v1/verify/session/${sessionId}/mobile`;
  if (
    !mobileUrl.pathname.endsWith(suffix) || mobileUrl.search || mobileUrl.hash
  ) {
    throw new LinkError("link_invalid");
  }
  const httpScheme = mobileUrl.protocol === "wss:" ? "https:" : "http:";
  const origin = `${httpScheme}//${mobileUrl.host}`;
  if (pageOrigin !== null && pageOrigin !== origin) {
    throw new LinkError("server_mismatch");
  }
  if (!config.allowedServers.includes(origin)) {
    const other = httpScheme === "http:" ? `https://${mobileUrl.host}` : null;
    if (other && config.allowedServers.includes(other)) {
      throw new LinkError("insecure_connection");
    }
    throw new LinkError("server_not_allowed");
  }
  const prefix = mobileUrl.pathname.slice(
    0,
    mobileUrl.pathname.length - suffix.length,
  );
  return {
    baseUrl: `${origin}${prefix}`,
    sessionId,
    token,
    mobileUrl: mobileUrl.href,
  };
}
