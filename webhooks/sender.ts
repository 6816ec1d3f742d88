/**
 * One HTTP try of a delivery: the destination is re-checked after DNS resolution (SSRF), the
 * request has a hard timeout and does not follow redirects, and any failure is reduced to a
 * stable error class. Nothing about the payload is logged.
 */
import type { TryErrorClass } from "./model.ts";
import {
  bareHost,
  checkWebhookUrl,
  isBlockedAddress,
  isIpLiteral,
  isLoopbackHost,
} from "./url_safety.ts";

/** Default timeout of one try (docs/webhooks.md). */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** Resolves a host name to addresses (`Deno.resolveDns` by default). */
export type DnsResolver = (host: string, type: "A" | "AAAA") => Promise<string[]>;

/** How tries are made; injectable for tests. */
export interface SenderOptions {
  timeoutMs: number;
  /**
   * The signal that ends a try when its time is up (`AbortSignal.timeout(timeoutMs)`); tests
   * replace it to decide when a try times out instead of racing a real timer.
   */
  deadline?: (timeoutMs: number) => AbortSignal;
  devMode: boolean;
  fetch: typeof fetch;
  resolveDns: DnsResolver;
}

/** The request of one try. */
export interface TryRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /**
   * Asked last, just before the request leaves (after the DNS check): false when the sender may
   * no longer make this try (its claim was lost), and nothing is sent.
   */
  mayStillSend?: () => Promise<boolean>;
}

/** The outcome of one try. */
export interface TryResult {
  succeeded: boolean;
  statusCode: number | null;
  errorClass: TryErrorClass | null;
  durationMs: number;
}

/** Real defaults: 15 s, the global fetch and the system's DNS. */
export function defaultSenderOptions(devMode: boolean): SenderOptions {
  return {
    timeoutMs: DELIVERY_TIMEOUT_MS,
    devMode,
    fetch: globalThis.fetch,
    resolveDns: (host, type) => Deno.resolveDns(host, type),
  };
}

/** Checks where the URL leads now: null when it may be called, else the error class. */
export async function checkDestination(
  url: string,
  options: SenderOptions,
): Promise<TryErrorClass | null> {
  const check = checkWebhookUrl(url, options.devMode);
  if (!check.ok) return check.code === "WEBHOOK_URL_BLOCKED" ? "blocked_address" : "invalid_url";
  const host = bareHost(check.url.hostname);
  if (isIpLiteral(host) || (options.devMode && isLoopbackHost(host))) return null;
  const answers = await Promise.allSettled([
    options.resolveDns(host, "A"),
    options.resolveDns(host, "AAAA"),
  ]);
  // A lookup that failed other than by "no such records" (a timeout, SERVFAIL) fails the try:
  // `fetch` resolves the name again, and could connect to an address this check never saw.
  if (answers.some((a) => a.status === "rejected" && !(a.reason instanceof Deno.errors.NotFound))) {
    return "dns_error";
  }
  const addresses = answers.flatMap((a) => (a.status === "fulfilled" ? a.value : []));
  if (addresses.length === 0) return "dns_error";
  const allowed = (a: string) =>
    !isBlockedAddress(a) || (options.devMode && isLoopbackHost(bareHost(a)));
  return addresses.every(allowed) ? null : "blocked_address";
}

/** Makes one try; null when `mayStillSend` said no and nothing was sent. */
export async function sendTry(
  request: TryRequest,
  options: SenderOptions,
): Promise<TryResult | null> {
  const started = performance.now();
  const done = (statusCode: number | null, errorClass: TryErrorClass | null): TryResult => ({
    succeeded: errorClass === null,
    statusCode,
    errorClass,
    durationMs: Math.round(performance.now() - started),
  });
  const blocked = await checkDestination(request.url, options);
  if (blocked) return done(null, blocked);
  if (request.mayStillSend && !(await request.mayStillSend())) return null;
  const signal = (options.deadline ?? AbortSignal.timeout)(options.timeoutMs);
  try {
    const response = await options.fetch(request.url, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      redirect: "manual",
      signal,
    });
    // Drain (bounded by the same timeout) so the connection can be reused; the body is ignored.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 300 && response.status < 400) return done(response.status, "redirect");
    if (response.status < 200 || response.status >= 300) {
      return done(response.status, "http_status");
    }
    return done(response.status, null);
  } catch (error) {
    return done(null, signal.aborted ? "timeout" : classifyFetchError(error));
  }
}

/** Maps a fetch failure to an error class from its message chain. */
export function classifyFetchError(error: unknown): TryErrorClass {
  let text = "";
  for (
    let e = error as { message?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    text += ` ${e.message ?? ""}`;
    if (text.length > 2000) break;
  }
  text = text.toLowerCase();
  if (/timed out|timeout|aborted/.test(text)) return "timeout";
  if (/connection refused|econnrefused|os error 111/.test(text)) return "connection_refused";
  if (/certificate|tls|ssl|handshake/.test(text)) return "tls_error";
  if (/dns|lookup|resolve|name or service/.test(text)) return "dns_error";
  return "connection_error";
}
