/**
 * `POST /passkeys/verify` `{credential, next?}`: signs in with a passkey and starts the same
 * cookie session as the password form. Its own per-address limit counts passkey attempts only:
 * wrong passwords never refuse or slow a passkey (docs/passkeys.md, "Sign-in throttling").
 */
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { define } from "../../../lib/framework/define.ts";
import { ok } from "../../../lib/http/envelope.ts";
import { badRequest, rateLimited } from "../../../lib/http/errors.ts";
import { startDashboardSession } from "../../../lib/accounts/dashboard_sessions.ts";
import {
  credentialSchema,
  finishPasskeyAuthentication,
  PasskeyError,
} from "../../../lib/accounts/passkeys.ts";

/** Passkey sign-in attempts allowed per client address and window. */
export const PASSKEY_SIGN_IN_LIMIT = { perAddress: 20, windowMs: 15 * 60 * 1000 };

const body = z.object({ credential: credentialSchema, next: z.string().max(2048).optional() });

export const handler = define.handlers({
  async POST(c) {
    const deps = c.var.deps;
    const byAddress = await deps.sharedLimiter.hit(
      "passkey_sign_in_ip",
      c.var.clientIp,
      PASSKEY_SIGN_IN_LIMIT.perAddress,
      PASSKEY_SIGN_IN_LIMIT.windowMs,
    );
    if (!byAddress.allowed) {
      deps.logger.warn("sign_in.rate_limited", { request_id: c.var.requestId });
      throw rateLimited(byAddress.retryAfterSeconds);
    }
    const parsed = body.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw badRequest("Invalid credential: not a WebAuthn assertion.");
    let passkey;
    try {
      const credential = parsed.data.credential as unknown as AuthenticationResponseJSON;
      passkey = await finishPasskeyAuthentication(deps, credential);
    } catch (error) {
      deps.logger.info("passkey.sign_in_refused", {
        request_id: c.var.requestId,
        failure_code: error instanceof PasskeyError ? error.code : "UNEXPECTED",
      });
      throw error;
    }
    await startDashboardSession(c, deps, passkey.userId);
    deps.logger.info("sign_in.succeeded", { user_id: passkey.userId, passkey_id: passkey.id });
    return ok(c, { redirect: safeNext(parsed.data.next ?? "") ?? "/" });
  },
});

// Only same-site paths: never an open redirect (the same rule as the password form).
function safeNext(next: string): string | null {
  return /^\/(?![/\\])[\w\-/?=&.%]*$/.test(next) ? next : null;
}
