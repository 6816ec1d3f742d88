/** The page shell of every HTML page: header with sign-in state, then the page. */
import { define } from "../lib/framework/define.ts";

export default define.layout(function Layout({ children, state }) {
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href="/">Kayle ID</a>
        {state.auth
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
          : <a href="/sign-in">Sign in</a>}
      </header>
      <main id="main">
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
