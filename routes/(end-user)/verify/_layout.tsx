/**
 * The verify pages' own frame inside the site layout: their stylesheet (external, the CSP
 * forbids inline styles; a stylesheet link is allowed in the body) and a narrow column that
 * reads well from 320 px up.
 */
import { define } from "../../../lib/framework/define.ts";

export default define.layout(function VerifyLayout({ children }) {
  return (
    <>
      <link rel="stylesheet" href="/static/verify.css" />
      <div class="verify-frame">{children}</div>
    </>
  );
});
