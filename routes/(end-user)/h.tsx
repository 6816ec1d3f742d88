/**
 * `/h#<token>` — the short handoff link the verify page's QR code carries
 * (docs/mobile-protocol.md "Short link"). A compatible app that claims `/h` opens it directly;
 * otherwise this page explains what the user needs and offers the app link. The token is in the
 * fragment: the server sees only `/h`.
 */
import { define, page } from "../../lib/framework/define.ts";
import { verifyCopyFor } from "../../lib/i18n/verify_copy.ts";
import { pageApp } from "../../components/verify/page_data.ts";
import ShortLinkLanding from "../../islands/ShortLinkLanding.tsx";

export const handler = define.handlers({
  GET() {
    return page({}, {
      title: verifyCopyFor().phoneLanding.heading,
      headers: { "cache-control": "no-store", "x-robots-tag": "noindex" },
    });
  },
});

export default define.page(function ShortLinkPage({ state }) {
  const copy = verifyCopyFor();
  return (
    <>
      <link rel="stylesheet" href="/static/verify.css" />
      <div class="verify-frame">
        <div class="verify-page">
          <section class="card" aria-labelledby="phone-heading">
            <h1 id="phone-heading">{copy.phoneLanding.heading}</h1>
            <noscript>
              <p class="notice info">{copy.phoneLanding.needs(state.deps.config.app.name)}</p>
            </noscript>
            <ShortLinkLanding app={pageApp(state.deps.config.app)} />
          </section>
        </div>
      </div>
    </>
  );
});
