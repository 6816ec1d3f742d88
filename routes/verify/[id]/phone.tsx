/**
 * `/verify/:id/phone#…` — where the https form of the handoff deep link (`deep_link_https`)
 * lands on a phone without the Kayle ID app taking it over. The credential is in the fragment
 * (never sent to the server); the island offers the `kayleid://` link built from it.
 */
import { define, page } from "../../../lib/framework/define.ts";
import { isId } from "../../../lib/core/ids.ts";
import { verifyCopyFor } from "../../../lib/i18n/verify_copy.ts";
import { SessionNotFound } from "../../../components/verify/VerifySections.tsx";
import PhoneLanding from "../../../islands/PhoneLanding.tsx";

/** The session id of a well-formed address, else null; the configured phone app, if any. */
export interface PhonePageData {
  sessionId: string | null;
  app?: { name: string; appStoreUrl: string | null; playStoreUrl: string | null } | null;
}

export const handler = define.handlers<PhonePageData>({
  GET(c) {
    const id = c.req.param("id")!;
    const sessionId = isId("vs", id) ? id : null;
    const app = c.var.deps.config.app ?? null;
    return page<PhonePageData>({ sessionId, app }, {
      status: sessionId ? 200 : 404,
      title: verifyCopyFor().phoneLanding.heading,
      headers: { "cache-control": "no-store", "x-robots-tag": "noindex" },
    });
  },
});

export default define.page<PhonePageData>(function PhonePage({ data }) {
  const copy = verifyCopyFor();
  if (!data.sessionId) return <SessionNotFound copy={copy} />;
  return (
    <div class="verify-page">
      <section class="card" aria-labelledby="phone-heading">
        <h1 id="phone-heading">{copy.phoneLanding.heading}</h1>
        <PhoneLanding sessionId={data.sessionId} />
        {data.app ? <AppStoreLinks app={data.app} /> : null}
      </section>
    </div>
  );
});

/** Where to get the phone app (`KAYLE_APP_NAME` and its store links, see mobile/README.md). */
function AppStoreLinks({ app }: { app: NonNullable<PhonePageData["app"]> }) {
  const links = [
    app.appStoreUrl ? { href: app.appStoreUrl, label: "App Store" } : null,
    app.playStoreUrl ? { href: app.playStoreUrl, label: "Google Play" } : null,
  ].filter((l) => l !== null);
  if (!links.length) return null;
  return (
    <p class="app-store-links" data-app-name={app.name}>
      {`Get ${app.name}: `}
      {links.map((l, i) => (
        <>
          {i > 0 ? " · " : null}
          <a href={l.href} rel="noopener">{l.label}</a>
        </>
      ))}
    </p>
  );
}
