/**
 * The live status of a verification (docs/verify-pages.md): polls the public status endpoint and shows
 * waiting / in progress / attempts remaining / success / failure / expired / cancelled with a
 * plain-language message per failure code. On a terminal status it sends the user back to the
 * relying party's `redirect_url` (which carries `session_id`) after a short visible countdown,
 * or, without a redirect URL, offers a button that closes the page.
 */
import { useEffect, useState } from "preact/hooks";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";
import {
  startPolling,
  subscribePollFailures,
  useLiveStatus,
} from "../components/verify/status_store.ts";
import {
  type EarlierFailure,
  failureOf,
  statusMessage,
} from "../components/verify/verify_status.ts";
import type { PublicStatus } from "../components/verify/verify_status.ts";

/** Seconds shown before the redirect. */
export const REDIRECT_COUNTDOWN_SECONDS = 5;

/** Props: the server-rendered status. */
export interface LiveStatusProps {
  initialStatus: PublicStatus;
  /** On the consent screen: stay invisible unless the session ends (expiry, cancel). */
  onlyWhenEnded?: boolean;
}

export default function LiveStatus({ initialStatus, onlyWhenEnded = false }: LiveStatusProps) {
  const copy = verifyCopyFor();
  const status = useLiveStatus(initialStatus);
  const [offline, setOffline] = useState(false);
  const [earlier, setEarlier] = useState<EarlierFailure | null>(failureOf(initialStatus));
  useEffect(() => {
    const failed = failureOf(status);
    if (failed) setEarlier(failed);
  }, [status]);
  useEffect(() => {
    if (!initialStatus.is_terminal) startPolling(initialStatus.session_id);
    return subscribePollFailures(setOffline);
  }, []);
  const message = statusMessage(copy, status, status.is_terminal ? null : earlier);
  if (onlyWhenEnded && !status.is_terminal) return <div class="status-quiet" hidden />;
  return (
    <section
      class={`card live-status tone-${message.tone}`}
      aria-labelledby="status-heading"
      data-testid="live-status"
      data-phase={message.phase}
    >
      <h2 id="status-heading">{copy.status.heading}</h2>
      <div role="status" aria-live="polite" aria-atomic="true">
        <p class="status-headline" data-testid="status-headline">{message.headline}</p>
        {message.detail ? <p class="status-detail">{message.detail}</p> : null}
        {offline ? <p class="muted">{copy.status.connectionLost}</p> : null}
      </div>
      {status.is_terminal ? <FinishPanel redirectUrl={status.redirect_url} /> : null}
    </section>
  );
}

function FinishPanel({ redirectUrl }: { redirectUrl: string | null }) {
  const copy = verifyCopyFor();
  const [seconds, setSeconds] = useState(REDIRECT_COUNTDOWN_SECONDS);
  const [closeFailed, setCloseFailed] = useState(false);
  useEffect(() => {
    if (!redirectUrl) return;
    const timer = setInterval(() => setSeconds((s) => Math.max(0, s - 1)), 1000);
    return () => clearInterval(timer);
  }, [redirectUrl]);
  useEffect(() => {
    if (redirectUrl && seconds === 0) location.assign(redirectUrl);
  }, [seconds, redirectUrl]);
  if (redirectUrl) {
    return (
      <div class="finish" data-testid="finish">
        <p data-testid="countdown">{copy.finish.redirectingIn(seconds)}</p>
        <a class="button primary" href={redirectUrl}>{copy.finish.returnNow}</a>
      </div>
    );
  }
  const close = () => {
    // Browsers close only windows a script opened; otherwise say so.
    globalThis.close();
    setTimeout(() => setCloseFailed(true), 300);
  };
  return (
    <div class="finish" data-testid="finish">
      <button type="button" class="primary" onClick={close}>{copy.finish.close}</button>
      {closeFailed ? <p class="muted" role="status">{copy.finish.closeHint}</p> : null}
      <noscript>
        <p class="muted">{copy.finish.closeHint}</p>
      </noscript>
    </div>
  );
}
