/**
 * The https form of the deep link (`/verify/:id/phone#v=1&session_id=…&token=…&mobile_url=…`)
 * lands here when the app did not take the link over: the token is in the fragment, which never
 * reaches the server, so this island turns it back into the `kayleid://verify?…` link.
 */
import { useEffect, useState } from "preact/hooks";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";
import type { PageApp } from "../components/verify/page_data.ts";
import { AppNeeds } from "./HandoffPanel.tsx";

/** Props: the session the page belongs to and the configured app. */
export interface PhoneLandingProps {
  sessionId: string;
  app: PageApp;
}

/** The custom-scheme link for a fragment, or null when it is not this session's handoff. */
export function appLinkOf(fragment: string, sessionId: string): string | null {
  const query = new URLSearchParams(fragment.replace(/^#/, ""));
  const ok = query.get("session_id") === sessionId && !!query.get("token") &&
    /^wss?:\/\//.test(query.get("mobile_url") ?? "");
  return ok ? `kayleid://verify?${query}` : null;
}

export default function PhoneLanding({ sessionId, app }: PhoneLandingProps) {
  const copy = verifyCopyFor();
  const [link, setLink] = useState<string | null | undefined>(undefined);
  useEffect(() => setLink(appLinkOf(location.hash, sessionId)), []);
  if (link === undefined) return <p class="muted">{copy.phoneLanding.intro(app.name)}</p>;
  if (link === null) return <p class="notice error" role="alert">{copy.phoneLanding.badLink}</p>;
  return (
    <div class="handoff-phone">
      <p>{copy.phoneLanding.intro(app.name)}</p>
      <a class="button primary" href={link} data-testid="app-link">
        {copy.phoneLanding.open(app.name)}
      </a>
      <p class="muted">{copy.phoneLanding.noApp(app.name)}</p>
      <AppNeeds app={app} />
    </div>
  );
}
