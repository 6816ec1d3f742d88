/**
 * `/verify/:id?cancel_token=...` — the end user's page (docs/verify-pages.md): consent, handoff to the phone,
 * live status, cancel and return. Server-rendered so consent and cancel work without
 * JavaScript (plain POST forms to this same URL); islands add the live parts.
 */
import { define, page } from "../../../lib/framework/define.ts";
import { verifyCopyFor } from "../../../lib/i18n/verify_copy.ts";
import {
  loadVerifyPage,
  type PageApp,
  pageApp,
  type VerifyPageView,
  type VerifySessionView,
} from "../../../components/verify/page_data.ts";
import {
  type FormNotice,
  handleVerifyForm,
  verifyPageUrl,
} from "../../../components/verify/page_forms.ts";
import {
  ConsentIntro,
  ConsentSummary,
  SessionNotFound,
  TestModeBanner,
  TooManyRequests,
  WhatIsChecked,
} from "../../../components/verify/VerifySections.tsx";
import ConsentForm from "../../../islands/ConsentForm.tsx";
import HandoffPanel from "../../../islands/HandoffPanel.tsx";
import LiveStatus, { REDIRECT_COUNTDOWN_SECONDS } from "../../../islands/LiveStatus.tsx";
import CancelButton from "../../../islands/CancelButton.tsx";
import SimulatePanel from "../../../islands/SimulatePanel.tsx";
import { simulateScenarioOptions } from "../../../components/verify/simulate_scenarios.ts";

/** What the page renders. */
export interface VerifyPageData {
  view: VerifyPageView;
  cancelToken: string | null;
  /** The user asked for the consent form again (`?change=1`). */
  changeConsent: boolean;
  /** The no-JS cancel flow asks its confirmation question. */
  confirmCancel: boolean;
  notice: FormNotice | null;
}

// The URL carries the cancel token: never cache it, never index it. (The site-wide
// `Referrer-Policy: same-origin` already keeps it from the relying party on the way back.)
const PRIVATE_HEADERS = {
  "cache-control": "no-store",
  "x-robots-tag": "noindex",
};

export const handler = define.handlers<VerifyPageData>({
  async GET(c) {
    const url = new URL(c.req.url);
    const view = await loadVerifyPage(c, c.req.param("id")!, { withHandoff: true });
    return render(view, {
      cancelToken: url.searchParams.get("cancel_token"),
      changeConsent: url.searchParams.get("change") === "1",
      confirmCancel: false,
      notice: null,
    });
  },
  async POST(c) {
    const id = c.req.param("id")!;
    const cancelToken = new URL(c.req.url).searchParams.get("cancel_token");
    const outcome = await handleVerifyForm(c, id, cancelToken);
    if (outcome.kind === "redirect") {
      return c.redirect(verifyPageUrl(id, cancelToken), 303);
    }
    const view = await loadVerifyPage(c, id, { withHandoff: !outcome.confirmCancel });
    return render(view, {
      cancelToken,
      changeConsent: outcome.notice?.about === "consent",
      confirmCancel: outcome.confirmCancel,
      notice: outcome.notice,
    });
  },
});

function render(view: VerifyPageView, rest: Omit<VerifyPageData, "view">) {
  const copy = verifyCopyFor();
  const status = view.kind === "not_found" ? 404 : view.kind === "rate_limited" ? 429 : 200;
  // An ended session sends the user back even without JavaScript, after the same countdown.
  const back = view.kind === "session" ? view.status.redirect_url : null;
  const headers = back
    ? { ...PRIVATE_HEADERS, refresh: `${REDIRECT_COUNTDOWN_SECONDS}; url=${back}` }
    : PRIVATE_HEADERS;
  return page<VerifyPageData>({ view, ...rest }, { status, title: copy.pageTitle, headers });
}

export default define.page<VerifyPageData>(function VerifyPage({ data, state }) {
  const copy = verifyCopyFor();
  const { view } = data;
  if (view.kind === "not_found") return <SessionNotFound copy={copy} />;
  if (view.kind === "rate_limited") return <TooManyRequests copy={copy} />;
  const ctx: SessionContext = {
    view,
    data,
    pageUrl: verifyPageUrl(view.sessionId, data.cancelToken),
    open: !view.status.is_terminal,
    app: pageApp(state.deps.config.app),
  };
  const choosing = ctx.open && view.status.status === "created" &&
    (view.consentedKeys === null || data.changeConsent);
  return (
    <div class="verify-page" data-session-mode={view.mode}>
      {view.mode === "test" ? <TestModeBanner copy={copy} /> : null}
      <ConsentIntro copy={copy} org={view.organizationName} />
      {data.notice
        ? <p class={`notice ${data.notice.tone}`} role="alert">{data.notice.message}</p>
        : null}
      {choosing ? <ChoosingStep ctx={ctx} /> : <FollowingSteps ctx={ctx} />}
      {ctx.open && data.cancelToken
        ? (
          <CancelButton
            sessionId={view.sessionId}
            cancelToken={data.cancelToken}
            initialStatus={view.status}
            confirming={data.confirmCancel}
            pageUrl={ctx.pageUrl}
          />
        )
        : null}
    </div>
  );
});

/** What the page's parts share. */
interface SessionContext {
  view: VerifySessionView;
  data: VerifyPageData;
  pageUrl: string;
  open: boolean;
  app: PageApp;
}

// Step 1: the consent form and the statement of what is checked.
function ChoosingStep({ ctx }: { ctx: SessionContext }) {
  const copy = verifyCopyFor();
  const { view } = ctx;
  return (
    <>
      <ConsentForm
        sessionId={view.sessionId}
        fields={view.fields}
        selectedKeys={view.consentedKeys ?? view.fields.map((f) => f.key)}
        continueUrl={ctx.pageUrl}
        initialStatus={view.status}
      />
      <LiveStatus initialStatus={view.status} onlyWhenEnded />
      <WhatIsChecked copy={copy} />
    </>
  );
}

// Step 2 and the end: what was agreed, the handoff, the live status, test mode's simulator.
function FollowingSteps({ ctx }: { ctx: SessionContext }) {
  const { view, open } = ctx;
  const consented = view.consentedKeys !== null;
  const changeUrl = open && view.status.status === "created"
    ? `${ctx.pageUrl}${ctx.pageUrl.includes("?") ? "&" : "?"}change=1`
    : null;
  return (
    <>
      {consented
        ? (
          <ConsentSummary
            copy={verifyCopyFor()}
            fields={view.fields}
            keys={view.consentedKeys!}
            changeUrl={changeUrl}
            status={view.status}
          />
        )
        : null}
      {open && consented
        ? (
          <HandoffPanel
            sessionId={view.sessionId}
            device={view.device}
            initialStatus={view.status}
            initialHandoff={view.handoff}
            app={ctx.app}
          />
        )
        : null}
      <LiveStatus initialStatus={view.status} />
      {open && consented && view.mode === "test"
        ? (
          <SimulatePanel
            sessionId={view.sessionId}
            scenarios={simulateScenarioOptions()}
            initialStatus={view.status}
          />
        )
        : null}
    </>
  );
}
