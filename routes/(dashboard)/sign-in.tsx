/**
 * `/sign-in`: email and password. Wrong passwords are throttled per client address (429 to that
 * address only) and slow the account down without locking it (lib/accounts/sign_in_throttle.ts,
 * docs/passkeys.md "Sign-in throttling").
 */
import { define, page } from "../../lib/framework/define.ts";
import { getUserByEmail } from "../../lib/accounts/users.ts";
import { verifyDecoyPassword, verifyPassword } from "../../lib/accounts/passwords.ts";
import { startDashboardSession } from "../../lib/accounts/dashboard_sessions.ts";
import {
  claimSignInTry,
  recordSignInSuccess,
  waitSignInDelay,
} from "../../lib/accounts/sign_in_throttle.ts";
import { Field, Notice } from "../../components/Form.tsx";
import PasskeySignIn from "../../islands/PasskeySignIn.tsx";
import { readForm } from "../../lib/http/forms.ts";

interface Data {
  error?: string;
  email?: string;
  next?: string;
}

export const handler = define.handlers<Data>({
  GET(c) {
    if (c.var.auth) return c.redirect("/", 303);
    return page({ next: c.req.query("next") }, { title: "Sign in" });
  },
  async POST(c) {
    const deps = c.var.deps;
    const form = await readForm(c);
    const email = String(form.email ?? "").slice(0, 320);
    const password = String(form.password ?? "").slice(0, 1024);
    const next = safeNext(String(form.next ?? ""));
    // Counted as a wrong password until it proves right: parallel guesses all see each other.
    const decision = await claimSignInTry(deps, c.var.clientIp, email);
    if (!decision.allowed) {
      const retry = decision.retryAfterSeconds;
      deps.logger.warn("sign_in.rate_limited", { request_id: c.var.requestId });
      return page({
        email,
        error: `Too many sign-in attempts from your network. Try again in ${
          Math.ceil(retry / 60)
        } minutes, or sign in with a passkey.`,
      }, {
        status: 429,
        headers: { "Retry-After": String(retry) },
        title: "Sign in",
      });
    }
    if (decision.delayMs > 0) {
      deps.logger.info("sign_in.slowed", {
        request_id: c.var.requestId,
        delay_ms: decision.delayMs,
      });
      await waitSignInDelay(deps, decision.delayMs);
    }
    const user = await getUserByEmail(deps.kv, email);
    const valid = user
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyDecoyPassword(password), false);
    if (!user || !valid) {
      return page({ email, error: "Email or password is wrong." }, {
        status: 401,
        title: "Sign in",
      });
    }
    await recordSignInSuccess(deps, c.var.clientIp, email);
    await startDashboardSession(c, deps, user.id);
    deps.logger.info("sign_in.succeeded", { user_id: user.id });
    return c.redirect(next ?? "/", 303);
  },
});

// Only same-site paths: never an open redirect.
function safeNext(next: string): string | null {
  return /^\/(?![/\\])[\w\-/?=&.%]*$/.test(next) ? next : null;
}

export default define.page<Data>(function SignIn({ data }) {
  return (
    <section class="card narrow">
      <h1>Sign in</h1>
      {data.error && <Notice kind="error">{data.error}</Notice>}
      <form method="post">
        <Field
          label="Email"
          name="email"
          type="email"
          value={data.email}
          required
          autocomplete="username"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          required
          autocomplete="current-password"
        />
        {data.next && <input type="hidden" name="next" value={data.next} />}
        <button type="submit">Sign in</button>
      </form>
      <PasskeySignIn next={data.next} />
    </section>
  );
});
