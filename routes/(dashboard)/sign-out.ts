/** `POST /sign-out`: ends the dashboard session (CSRF-checked by the root middleware). */
import { define } from "../../lib/framework/define.ts";
import { endDashboardSession } from "../../lib/accounts/dashboard_sessions.ts";

export const handler = define.handlers({
  async POST(c) {
    await endDashboardSession(c, c.var.deps, c.var.auth);
    return c.redirect("/sign-in", 303);
  },
});
