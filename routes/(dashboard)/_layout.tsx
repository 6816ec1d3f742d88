/**
 * The dashboard's frame (inside the root layout): header with the sign-in state, on organization
 * pages the test / live data switch (`lib/accounts/dashboard_mode.ts`) and the empty trust store's
 * warning, then the page.
 */
import { define } from "../../lib/framework/define.ts";
import type { KeyMode } from "../../lib/api_keys/api_keys.ts";
import type { LayoutProps } from "../../lib/framework/define.ts";

function ModeSwitch({ mode, path }: { mode: KeyMode; path: string }) {
  return (
    <nav class={`mode-switch mode-${mode}`} aria-label="Data mode" data-mode={mode}>
      <span>
        Viewing <strong>{mode === "test" ? "test data" : "live data"}</strong>
      </span>
      {(["test", "live"] as const).map((m) => (
        <a
          href={`${path}?mode=${m}`}
          aria-current={m === mode ? "true" : undefined}
          data-mode-link={m}
        >
          {m === "test" ? "Test data" : "Live data"}
        </a>
      ))}
    </nav>
  );
}

function HeaderLinks({ state }: { state: LayoutProps["state"] }) {
  return state.auth
    ? (
      <span>
        {state.instanceOwner && <a href="/trust-store">Trust store</a>}{" "}
        <a href="/account">Account</a>{" "}
        <form method="post" action="/sign-out" class="inline">
          <input type="hidden" name="_csrf" value={state.auth.csrfToken} />
          <button type="submit" class="link">Sign out</button>
        </form>
      </span>
    )
    : <a href="/sign-in">Sign in</a>;
}

export default define.layout(function DashboardLayout({ children, state, url }) {
  return (
    <>
      <header class="top">
        <a class="brand" href="/">Kayle ID</a>
        <HeaderLinks state={state} />
      </header>
      <main id="main">
        {state.org && state.dashboardMode && (
          <ModeSwitch mode={state.dashboardMode} path={url.pathname} />
        )}
        {state.org && state.liveTrustEmpty && (
          <p class="notice error trust-banner" role="alert">
            <strong>Live verifications cannot succeed yet:</strong>{" "}
            this instance trusts no country signing certificate (CSCA), so every live passport fails
            passive authentication. {state.instanceOwner
              ? <a href="/trust-store">Import a master list in the trust store.</a>
              : "Ask the instance owner to import a CSCA master list."} Test mode is not affected.
          </p>
        )}
        {children}
      </main>
    </>
  );
});
