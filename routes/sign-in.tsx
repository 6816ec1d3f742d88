/** `/sign-in`: email and password, rate-limited per address and per account. */
import { define, page } from "../lib/framework/define.ts";
import { getUserByEmail, normaliseEmail } from "../lib/accounts/users.ts";
import { verifyDecoyPassword, verifyPassword } from "../lib/accounts/passwords.ts";
import { startDashboardSession } from "../lib/accounts/dashboard_sessions.ts";
import { Field, Notice } from "../components/Form.tsx";
import PasskeySignIn from "../islands/PasskeySignIn.tsx";

/** Sign-in attempts allowed per window, per client address and per email. */
export const SIGN_IN_LIMIT = { perAddress: 20, perEmail: 10, windowMs: 15 * 60 * 1000 };

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
    const form = await c.req.parseBody();
    const email = String(form.email ?? "").slice(0, 320);
    const password = String(form.password ?? "").slice(0, 1024);
    const next = safeNext(String(form.next ?? ""));
    const byAddress = await deps.sharedLimiter.hit(
      "sign_in_ip",
      c.var.clientIp,
      SIGN_IN_LIMIT.perAddress,
      SIGN_IN_LIMIT.windowMs,
    );
    const byEmail = await deps.sharedLimiter.hit(
      "sign_in_email",
      await deps.keys.hash(normaliseEmail(email), "rate-limit"),
      SIGN_IN_LIMIT.perEmail,
      SIGN_IN_LIMIT.windowMs,
    );
    if (!byAddress.allowed || !byEmail.allowed) {
      const retry = Math.max(byAddress.retryAfterSeconds, byEmail.retryAfterSeconds);
      deps.logger.warn("sign_in.rate_limited", { request_id: c.var.requestId });
      return page({
        email,
        error: `Too many sign-in attempts. Try again in ${Math.ceil(retry / 60)} minutes.`,
      }, {
        status: 429,
        headers: { "Retry-After": String(retry) },
        title: "Sign in",
      });
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
