/**
 * What the reference phone accepts as its starting point: a session's `verification_url`
 * (`<base>/verify/<vs_id>?cancel_token=…`), a `kayleid://verify?…` deep link, or its https form
 * (`<base>/verify/<vs_id>/phone#…`). Deep links already carry the token and the WebSocket URL.
 * The QR code's short link (`<base>/h#<token>`) is resolved over HTTP first
 * ({@link resolvePhoneLink}; docs/mobile-protocol.md "Short link").
 */

/** A parsed starting point. */
export interface PhoneLink {
  /** The server's base URL (for the public HTTP endpoints). */
  baseUrl: string;
  sessionId: string;
  /** From a deep link: the handoff token and WebSocket URL (no consent or handoff needed). */
  token?: string;
  mobileUrl?: string;
}

/** Parses a verification URL or deep link; throws a TypeError saying what is expected. */
export function parsePhoneLink(input: string): PhoneLink {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new TypeError("Give a verification_url or a kayleid:// deep link.");
  }
  if (url.protocol === "kayleid:") return fromQuery(new URLSearchParams(url.search));
  const match = url.pathname.match(/\/verify\/(vs_[a-z0-9]{64})(\/phone)?\/?$/);
  if (!match) throw new TypeError("The URL does not name a session (/verify/vs_…).");
  if (match[2]) return fromQuery(new URLSearchParams(url.hash.slice(1)));
  const prefix = url.pathname.slice(0, url.pathname.length - match[0].length);
  return { baseUrl: `${url.origin}${prefix}`, sessionId: match[1] };
}

function fromQuery(query: URLSearchParams): PhoneLink {
  const sessionId = query.get("session_id") ?? "";
  const token = query.get("token") ?? "";
  const mobileUrl = query.get("mobile_url") ?? "";
  if (!/^vs_[a-z0-9]{64}$/.test(sessionId) || !token || !/^wss?:\/\//.test(mobileUrl)) {
    throw new TypeError("The deep link lacks session_id, token or mobile_url.");
  }
  const base = new URL(mobileUrl);
  const scheme = base.protocol === "wss:" ? "https:" : "http:";
  const prefix = base.pathname.replace(/\/v1\/verify\/session\/[^/]+\/mobile$/, "");
  return { baseUrl: `${scheme}//${base.host}${prefix}`, sessionId, token, mobileUrl };
}

/** True for a short handoff link (`<base>/h#<token>`). */
export function isShortLink(input: string): boolean {
  try {
    const url = new URL(input);
    return /^https?:$/.test(url.protocol) && /\/h\/?$/.test(url.pathname) && url.hash.length > 1;
  } catch {
    return false;
  }
}

/**
 * {@link parsePhoneLink}, and a short link resolved with `POST <base>/v1/verify/handoff/resolve`
 * (the token in the body) to the deep link it stands for. Throws a TypeError saying why.
 */
export async function resolvePhoneLink(
  input: string,
  fetchFn: typeof fetch = fetch,
): Promise<PhoneLink> {
  if (!isShortLink(input)) return parsePhoneLink(input);
  const url = new URL(input);
  const base = `${url.origin}${url.pathname.replace(/\/h\/?$/, "")}`;
  const response = await fetchFn(`${base}/v1/verify/handoff/resolve`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ token: url.hash.slice(1) }),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok || !body?.data?.deep_link) {
    const code = body?.error?.code ?? `HTTP ${response.status}`;
    throw new TypeError(`The short link did not resolve (${code}): show the QR code again.`);
  }
  return parsePhoneLink(body.data.deep_link);
}
