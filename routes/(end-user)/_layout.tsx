/**
 * The end user's frame (inside the root layout): the verify pages and the short link's `/h` belong
 * to the relying party and the user, never to the dashboard. They show no Account / Sign in / Sign
 * out links, and their group never reads the dashboard session.
 */
import { define } from "../../lib/framework/define.ts";

export default define.layout(function EndUserLayout({ children }) {
  return (
    <>
      <header class="top">
        <span class="brand">Kayle ID</span>
      </header>
      <main id="main">{children}</main>
    </>
  );
});
