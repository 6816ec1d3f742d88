/**
 * `POST /passkeys/options`: WebAuthn request options to sign in with a passkey (discoverable
 * credentials: the browser offers the user's passkeys, no email is typed). Each call stores a
 * challenge, so calls are rate-limited per client address.
 */
import { define } from "../../../lib/framework/define.ts";
import { ok } from "../../../lib/http/envelope.ts";
import { rateLimited } from "../../../lib/http/errors.ts";
import { beginPasskeyAuthentication } from "../../../lib/accounts/passkeys.ts";

/** Option requests allowed per client address and window. */
export const PASSKEY_OPTIONS_LIMIT = { perAddress: 60, windowMs: 15 * 60 * 1000 };

export const handler = define.handlers({
  async POST(c) {
    const deps = c.var.deps;
    const decision = await deps.sharedLimiter.hit(
      "passkey_options_ip",
      c.var.clientIp,
      PASSKEY_OPTIONS_LIMIT.perAddress,
      PASSKEY_OPTIONS_LIMIT.windowMs,
    );
    if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
    return ok(c, await beginPasskeyAuthentication(deps));
  },
});
