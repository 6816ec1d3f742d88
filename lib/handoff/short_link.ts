/**
 * The short handoff link (docs/mobile-protocol.md "Short link"): what the verify page's QR code
 * carries instead of the ~350-character `kayleid://` link, so a phone camera opens it and the
 * code stays small (version ≤ 6 at level M for public URLs up to 60 characters).
 *
 * `<public URL>/h#<token>`: the handoff token (32 bytes; 64 hex digits in the API) as 43
 * base64url characters in the fragment, which browsers never send, so it stays out of server and
 * proxy logs. An app that claims `/h` (universal / app link) gets the URL directly; otherwise the
 * `/h` page explains what the user needs. Either resolves the token with
 * `POST /v1/verify/handoff/resolve` (the token in the body) to the full handoff link.
 */
import type { AppDeps } from "../deps.ts";
import { fromBase64Url, toBase64Url } from "../core/ids.ts";
import { handoffKeys, type HandoffTokenRecord, hashHandoffToken, mobileUrl } from "./handoff.ts";
import { readSession } from "../sessions/sessions.ts";
import { isTerminal } from "../sessions/types.ts";
import { CodedError } from "../core/errors.ts";

/** Resolutions per minute per client address (a token has 256 bits: this only curbs abuse). */
export const RESOLVE_PER_IP_PER_MINUTE = 30;

/** The path of the short link's landing page. */
export const SHORT_LINK_PATH = "/h";

/** The short link of a handoff token (64 hex digits). */
export function shortLinkOf(publicUrl: string, hexToken: string): string {
  return `${publicUrl}${SHORT_LINK_PATH}#${toBase64Url(Uint8Array.fromHex(hexToken))}`;
}

/** The hex token of a short link's fragment (43 base64url characters) or of a hex token; else null. */
export function tokenFromShortForm(text: string): string | null {
  const value = text.replace(/^#/, "").trim();
  if (/^[0-9a-f]{64}$/.test(value)) return value;
  if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
  const bytes = fromBase64Url(value);
  if (bytes.length !== 32) return null;
  return bytes.toHex();
}

/** What resolving a short link gives: the full handoff link's parts. */
export interface ResolvedHandoff {
  session_id: string;
  mobile_write_token: string;
  mobile_url: string;
  expires_at: string;
  deep_link: string;
  deep_link_https: string;
}

/** Why a token did not resolve (answers: lib/http/error_table.ts). */
export class ShortLinkError extends CodedError<"HANDOFF_TOKEN_INVALID" | "HANDOFF_TOKEN_EXPIRED"> {}

/**
 * Resolves a token (hex or the short link's base64url) to its handoff. Does not consume it: only
 * the phone's hello does. Throws {@link ShortLinkError}: `HANDOFF_TOKEN_INVALID` for a token that
 * was never issued, `HANDOFF_TOKEN_EXPIRED` once it expired or its session ended.
 */
export async function resolveShortLink(deps: AppDeps, text: string): Promise<ResolvedHandoff> {
  const token = tokenFromShortForm(text);
  const record = token
    ? (await deps.kv.get<HandoffTokenRecord>(
      handoffKeys.token(await hashHandoffToken(deps, token)),
    ))
      .value
    : null;
  if (!token || !record) {
    throw new ShortLinkError("HANDOFF_TOKEN_INVALID", "This code is not a valid handoff.");
  }
  const session = await readSession(deps, record.sessionId);
  const expired = Date.parse(record.expiresAt) <= deps.clock.now().getTime() && !record.consumedAt;
  if (!session || isTerminal(session.status) || expired) {
    throw new ShortLinkError(
      "HANDOFF_TOKEN_EXPIRED",
      "This code has expired: show the code again on the verification page.",
    );
  }
  const wsUrl = mobileUrl(deps.config.publicUrl, session.id);
  const query = new URLSearchParams({ v: "1", session_id: session.id, token, mobile_url: wsUrl });
  return {
    session_id: session.id,
    mobile_write_token: token,
    mobile_url: wsUrl,
    expires_at: record.expiresAt,
    deep_link: `kayleid://verify?${query}`,
    deep_link_https: `${deps.config.publicUrl}/verify/${session.id}/phone#${query}`,
  };
}
