/**
 * `/verify/:id/phone#…` — where the https form of the handoff deep link (`deep_link_https`)
 * lands on a phone without a compatible app taking it over. The credential is in the fragment
 * (never sent to the server); the island offers the `kayleid://` link built from it.
 */
import { define, page } from "../../../../lib/framework/define.ts";
import { isId } from "../../../../lib/core/ids.ts";
import { verifyCopyFor } from "../../../../lib/i18n/verify_copy.ts";
import { SessionNotFound } from "../../../../components/verify/VerifySections.tsx";
import PhoneLanding from "../../../../islands/PhoneLanding.tsx";
import { pageApp } from "../../../../components/verify/page_data.ts";

/** The session id of a well-formed address, else null. */
export interface PhonePageData {
  sessionId: string | null;
}

export const handler = define.handlers<PhonePageData>({
  GET(c) {
    const id = c.req.param("id")!;
    const sessionId = isId("vs", id) ? id : null;
    return page<PhonePageData>({ sessionId }, {
      status: sessionId ? 200 : 404,
      title: verifyCopyFor().phoneLanding.heading,
      headers: { "cache-control": "no-store", "x-robots-tag": "noindex" },
    });
  },
});

export default define.page<PhonePageData>(function PhonePage({ data, state }) {
  const copy = verifyCopyFor();
  if (!data.sessionId) return <SessionNotFound copy={copy} />;
  return (
    <div class="verify-page">
      <section class="card" aria-labelledby="phone-heading">
        <h1 id="phone-heading">{copy.phoneLanding.heading}</h1>
        <PhoneLanding sessionId={data.sessionId} app={pageApp(state.deps.config.app)} />
      </section>
    </div>
  );
});
