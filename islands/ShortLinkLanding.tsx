/**
 * The short handoff link's page (`/h#<token>`, lib/handoff/short_link.ts) when no app took the
 * link over: the token is in the fragment, which never reaches the server in the URL; the island
 * sends it in a POST body to `/v1/verify/handoff/resolve` and offers the `kayleid://` link, with
 * what the user needs (a phone with NFC and the configured app, or a compatible app) and the
 * configured store links.
 */
import { useEffect, useState } from "preact/hooks";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";
import type { PageApp } from "../components/verify/page_data.ts";
import { AppNeeds } from "./HandoffPanel.tsx";

/** Props: the configured app. */
export interface ShortLinkLandingProps {
  app: PageApp;
}

type State =
  | { kind: "resolving" }
  | { kind: "ready"; deepLink: string }
  | { kind: "expired" }
  | { kind: "bad" };

export default function ShortLinkLanding({ app }: ShortLinkLandingProps) {
  const copy = verifyCopyFor();
  const [state, setState] = useState<State>({ kind: "resolving" });
  useEffect(() => {
    const token = location.hash.replace(/^#/, "");
    if (!token) return setState({ kind: "bad" });
    resolve(token).then(setState);
  }, []);
  return (
    <div class="handoff-phone" data-state={state.kind} data-testid="short-link-landing">
      <p>{copy.phoneLanding.intro(app.name)}</p>
      {state.kind === "resolving" && (
        <p class="muted" aria-busy="true">{copy.phoneLanding.resolving}</p>
      )}
      {state.kind === "ready" && (
        <>
          <a class="button primary" href={state.deepLink} data-testid="app-link">
            {copy.phoneLanding.open(app.name)}
          </a>
          <p class="muted">{copy.phoneLanding.noApp(app.name)}</p>
        </>
      )}
      {state.kind === "expired" && (
        <p class="notice error" role="alert">{copy.phoneLanding.expired}</p>
      )}
      {state.kind === "bad" && <p class="notice error" role="alert">{copy.phoneLanding.badLink}</p>}
      <AppNeeds app={app} />
    </div>
  );
}

async function resolve(token: string): Promise<State> {
  try {
    const response = await fetch("/v1/verify/handoff/resolve", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    const body = await response.json() as { data: { deep_link: string } | null };
    if (response.ok && body.data) return { kind: "ready", deepLink: body.data.deep_link };
    return response.status === 410 ? { kind: "expired" } : { kind: "bad" };
  } catch {
    return { kind: "bad" };
  }
}
