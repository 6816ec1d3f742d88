/**
 * Webhook URL safety (SSRF): https only (http to loopback in development mode), no credentials,
 * and no private, loopback, link-local, CGNAT, unique-local, multicast, reserved or
 * cloud-metadata destinations — checked on the URL at registration and again on the addresses
 * the host name resolves to at send time (a name can be re-pointed after registration).
 * Development mode allows loopback only, so a local receiver works and nothing else opens up.
 */

/** Longest accepted webhook URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Host names refused whatever they resolve to (cloud metadata services, local names). */
const BLOCKED_NAMES = [
  /^metadata\.google\.internal$/,
  /^metadata\.goog$/,
  /^metadata$/,
  /^instance-data(\.ec2\.internal)?$/,
  /(^|\.)localhost$/,
  /(^|\.)local$/,
  /(^|\.)internal$/,
];

/** Outcome of a URL check. */
export type UrlCheck =
  | { ok: true; url: URL }
  | { ok: false; code: "INVALID_WEBHOOK_URL" | "WEBHOOK_URL_BLOCKED"; message: string };

/** Checks a webhook URL at registration (no DNS: names are re-checked at send time). */
export function checkWebhookUrl(text: string, devMode: boolean): UrlCheck {
  const invalid = (message: string): UrlCheck => ({
    ok: false,
    code: "INVALID_WEBHOOK_URL",
    message,
  });
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    return invalid(`url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return invalid("url must be an absolute https:// URL.");
  }
  if (url.username || url.password) return invalid("url must not contain credentials.");
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) {
    return invalid(`url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters once serialized.`);
  }
  const host = bareHost(url.hostname);
  const loopback = isLoopbackHost(host);
  if (url.protocol === "http:" && !(devMode && loopback)) {
    return invalid(
      devMode ? "url must use https (http is allowed for loopback only)." : "url must use https.",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return invalid("url must use https.");
  if (devMode && loopback) return { ok: true, url };
  if (isBlockedHostName(host) || (isIpLiteral(host) && isBlockedAddress(host))) {
    return {
      ok: false,
      code: "WEBHOOK_URL_BLOCKED",
      message: "url points to a private, loopback, link-local or metadata address.",
    };
  }
  return { ok: true, url };
}

/** Host without IPv6 brackets, lowercased, without a trailing dot. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, "").toLowerCase().replace(/\.$/, "");
}

/** True for names that must never be called (metadata services, local-only names). */
export function isBlockedHostName(host: string): boolean {
  return BLOCKED_NAMES.some((pattern) => pattern.test(host));
}

/** True for `localhost` and loopback IP literals. */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const v4 = parseIpv4(host);
  if (v4) return v4[0] === 127;
  const v6 = parseIpv6(host);
  if (!v6) return false;
  const mapped = embeddedIpv4(v6);
  return mapped ? mapped[0] === 127 : v6.every((b, i) => (i === 15 ? b === 1 : b === 0));
}

/** True when the text is an IPv4 or IPv6 literal. */
export function isIpLiteral(host: string): boolean {
  return parseIpv4(host) !== null || parseIpv6(host) !== null;
}

/** True for every address a webhook must not reach; unparsable text is blocked too. */
export function isBlockedAddress(address: string): boolean {
  const host = bareHost(address);
  const v4 = parseIpv4(host);
  if (v4) return isBlockedIpv4(v4);
  const v6 = parseIpv6(host);
  if (!v6) return true;
  const embedded = embeddedIpv4(v6);
  if (embedded) return isBlockedIpv4(embedded);
  return isBlockedIpv6(v6);
}

// [first octets, prefix length]: RFC 6890 special-purpose blocks and cloud metadata.
const BLOCKED_V4: Array<[number[], number]> = [
  [[0], 8], // "this network"
  [[10], 8], // private
  [[100, 64], 10], // CGNAT
  [[127], 8], // loopback
  [[169, 254], 16], // link-local, including 169.254.169.254 metadata
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved and broadcast
];

function isBlockedIpv4(bytes: number[]): boolean {
  return BLOCKED_V4.some(([prefix, bits]) => matchesPrefix(bytes, prefix, bits));
}

function isBlockedIpv6(bytes: number[]): boolean {
  const blocks: Array<[number[], number]> = [
    [[0xfc], 7], // unique local, including fd00:ec2::254 (AWS metadata)
    [[0xfe, 0x80], 10], // link-local
    [[0xfe, 0xc0], 10], // site-local (deprecated)
    [[0xff], 8], // multicast
    [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
    [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64], // discard
    [[0x20, 0x01, 0, 0], 32], // Teredo (tunnels to arbitrary IPv4)
  ];
  if (bytes.every((b) => b === 0)) return true; // unspecified
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return true; // ::1
  return blocks.some(([prefix, bits]) => matchesPrefix(bytes, prefix, bits));
}

function matchesPrefix(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < prefix.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (prefix[i] & mask)) return false;
  }
  return true;
}

/** The IPv4 address inside IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 addresses. */
function embeddedIpv4(bytes: number[]): number[] | null {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (zeros(0, 12) && !(bytes[12] === 0 && bytes[13] === 0 && bytes[14] === 0)) {
    return bytes.slice(12);
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) {
    return bytes.slice(12);
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

/** Dotted-quad IPv4 (as the URL parser normalises it), or null. */
export function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** IPv6 text (with `::` and an optional trailing dotted quad) as 16 bytes, or null. */
export function parseIpv6(text: string): number[] | null {
  if (!text.includes(":") || text.includes("%")) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const expand = (parts: string[]): number[] | null => {
    const out: number[] = [];
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes(".")) {
        const v4 = parseIpv4(part);
        if (!v4) return null;
        out.push(...v4);
      } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
        const value = parseInt(part, 16);
        out.push(value >> 8, value & 0xff);
      } else return null;
    }
    return out;
  };
  const head = expand(groups(halves[0]));
  const tail = halves.length === 2 ? expand(groups(halves[1])) : [];
  if (!head || !tail) return null;
  const fill = 16 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 2) return null;
  return [...head, ...new Array(fill).fill(0), ...tail];
}
