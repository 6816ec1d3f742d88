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
              <a href="/account">Account</a>{" "}
              <form method="post" action="/sign-out" class="inline">
                <input type="hidden" name="_csrf" value={state.auth.csrfToken} />
                <button type="submit" class="link">Sign out</button>
              </form>
            </span>
          )
          : <a href="/sign-in">Sign in</a>}
      </header>
      <main id="main">{children}</main>
    </>
  );
});
