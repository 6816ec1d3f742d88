/**
 * The handoff to the phone (docs/verify-pages.md, seed 003): mints the phone credential with
 * `POST /v1/verify/session/:id/handoff`; on a phone shows a button with the deep link, on a
 * desktop a locally generated QR code of the short https link (`<server>/h#…`, version ≤ 6) and
 * the same link. The app is named only when configured (`KAYLE_APP_NAME`, docs/verify-pages.md). The token is renewed
 * before it expires; the QR code disappears once the session is bound to one phone
 * (`same_device_only`) and the whole panel once the session is over.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";
import { QrCode } from "../components/verify/QrCode.tsx";
import { refreshNow, useLiveStatus } from "../components/verify/status_store.ts";
import type { PageApp, PageHandoff } from "../components/verify/page_data.ts";
import {
  type DeviceKind,
  handoffRefreshDelayMs,
  offersQrPairing,
  type PublicStatus,
} from "../components/verify/verify_status.ts";

/** Props: the session, the device kind and the server-rendered status. */
export interface HandoffPanelProps {
  sessionId: string;
  device: DeviceKind;
  initialStatus: PublicStatus;
  /** The credential the server minted for the first paint (works without JavaScript). */
  initialHandoff: PageHandoff | "phone_busy" | null;
  /** The configured phone app (`KAYLE_APP_*`); a null name names no product. */
  app: PageApp;
}

/** The part of the handoff response (docs/verify-pages.md) the page uses. */
type Handoff = PageHandoff;

type PanelState =
  | { kind: "loading" }
  | { kind: "ready"; handoff: Handoff }
  | { kind: "phone_busy" }
  | { kind: "error" };

export default function HandoffPanel(props: HandoffPanelProps) {
  const copy = verifyCopyFor();
  const status = useLiveStatus(props.initialStatus);
  const [state, retry] = useHandoffCredential(props, status);
  if (status.is_terminal) return <div class="handoff-gone" hidden />;
  return (
    <section class="card handoff" aria-labelledby="handoff-heading" data-testid="handoff">
      <h2 id="handoff-heading">{copy.handoff.heading}</h2>
      <noscript>
        <p class="notice info">{copy.handoff.needsJavaScript}</p>
      </noscript>
      <HandoffBody
        device={props.device}
        status={status}
        state={state}
        onRetry={retry}
        app={props.app}
      />
    </section>
  );
}

/**
 * The phone credential over time: the server-minted one first, renewed 30 s before it expires,
 * minted again after a failed attempt (the phone may retry), dropped once nobody may use it.
 * Returns the current state and a retry function.
 */
function useHandoffCredential(
  props: HandoffPanelProps,
  status: PublicStatus,
): [PanelState, () => void] {
  const [state, setState] = useState<PanelState>(initialPanelState(props.initialHandoff));
  const usesServerHandoff = useRef(props.initialHandoff !== null);
  const [generation, setGeneration] = useState(0);
  // A desktop stops minting codes once a phone is bound: only that phone may continue.
  const wantsToken = !status.is_terminal && (props.device === "phone" || offersQrPairing(status));
  const failedAttempt = status.latest_attempt?.status === "failed" ? status.latest_attempt.id : "";
  useEffect(() => {
    if (!wantsToken) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const scheduleRenewal = (result: PanelState) => {
      if (result.kind !== "ready") return;
      const delay = handoffRefreshDelayMs(result.handoff.expires_at, Date.now());
      timer = setTimeout(() => setGeneration((g) => g + 1), delay);
    };
    if (usesServerHandoff.current) {
      usesServerHandoff.current = false;
      scheduleRenewal(state);
    } else {
      mintHandoff(props.sessionId).then((result) => {
        if (stopped) return;
        setState(result);
        scheduleRenewal(result);
        if (result.kind === "phone_busy") refreshNow();
      });
    }
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [wantsToken, failedAttempt, generation]);
  return [state, () => setGeneration((g) => g + 1)];
}

function HandoffBody(
  { device, status, state, onRetry, app }: {
    device: DeviceKind;
    status: PublicStatus;
    state: PanelState;
    onRetry: () => void;
    app: PageApp;
  },
) {
  const copy = verifyCopyFor();
  if (device === "desktop" && !offersQrPairing(status)) {
    return <p class="notice info" data-testid="same-device">{copy.handoff.sameDevice}</p>;
  }
  if (state.kind === "phone_busy") return <p class="notice info">{copy.handoff.inProgress}</p>;
  if (state.kind === "error") {
    return (
      <div class="notice error" role="alert">
        <p>{copy.handoff.failed}</p>
        <button type="button" class="secondary" onClick={onRetry}>{copy.handoff.retry}</button>
      </div>
    );
  }
  if (state.kind === "loading") {
    return <p class="muted" aria-busy="true">{copy.handoff.refreshing}</p>;
  }
  const { deep_link: deepLink, short_link: shortLink } = state.handoff;
  if (device === "phone") {
    return (
      <div class="handoff-phone">
        <p>{copy.handoff.phoneIntro(app.name)}</p>
        <a class="button primary" href={deepLink} data-testid="deep-link-button">
          {copy.handoff.openOnPhone(app.name)}
        </a>
        <AppNeeds app={app} />
      </div>
    );
  }
  return (
    <div class="handoff-desktop">
      <p>{copy.handoff.desktopIntro(app.name)}</p>
      <QrCode text={shortLink} label={copy.handoff.qrLabel} />
      <p class="handoff-link">
        {copy.handoff.linkIntro} <a href={shortLink} data-testid="deep-link">{shortLink}</a>
      </p>
      <p class="muted">{copy.handoff.expiresIn(5)}</p>
    </div>
  );
}

/** What the user needs on the phone, and the configured store links (none by default). */
export function AppNeeds({ app }: { app: PageApp }) {
  const copy = verifyCopyFor();
  const stores = [
    ...(app.iosUrl ? [["App Store", app.iosUrl]] : []),
    ...(app.androidUrl ? [["Google Play", app.androidUrl]] : []),
  ];
  return (
    <div class="app-needs" data-testid="app-needs">
      <p class="muted">{copy.phoneLanding.needs(app.name)}</p>
      {stores.length > 0 && (
        <p>
          {copy.phoneLanding.storeLinks} {stores.map(([label, href], i) => (
            <>
              {i > 0 && " · "}
              <a key={label} href={href} class="store-link" rel="noopener">{label}</a>
            </>
          ))}
        </p>
      )}
    </div>
  );
}

function initialPanelState(initial: PageHandoff | "phone_busy" | null): PanelState {
  if (initial === "phone_busy") return { kind: "phone_busy" };
  return initial ? { kind: "ready", handoff: initial } : { kind: "loading" };
}

async function mintHandoff(sessionId: string): Promise<PanelState> {
  try {
    const response = await fetch(`/v1/verify/session/${encodeURIComponent(sessionId)}/handoff`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: "{}",
    });
    const body = await response.json() as {
      data: Handoff | null;
      error: { code: string } | null;
    };
    if (response.ok && body.data) return { kind: "ready", handoff: body.data };
    if (body.error?.code === "SESSION_IN_PROGRESS") return { kind: "phone_busy" };
    if (body.error?.code === "SESSION_EXPIRED") {
      await refreshNow();
      return { kind: "loading" };
    }
    return { kind: "error" };
  } catch {
    return { kind: "error" };
  }
}
