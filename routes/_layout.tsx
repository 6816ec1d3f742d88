/**
 * The page shell of every HTML page: the skip link, then the group's frame — the dashboard's
 * (`routes/(dashboard)/_layout.tsx`) or the end user's (`routes/(end-user)/_layout.tsx`), each
 * with its header and `<main id="main">`.
 */
import { define } from "../lib/framework/define.ts";

export default define.layout(function Layout({ children }) {
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      {children}
    </>
  );
});
