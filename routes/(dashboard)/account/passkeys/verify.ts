/**
 * `POST /account/passkeys/verify` `{name, credential}`: verifies the authenticator's answer to
 * the creation options and stores the passkey of the signed-in user.
 */
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { badRequest } from "../../../../lib/http/errors.ts";
import {
  credentialSchema,
  finishPasskeyRegistration,
  passkeySummary,
} from "../../../../lib/accounts/passkeys.ts";

const body = z.object({ name: z.string().max(200).default(""), credential: credentialSchema });

export const handler = define.handlers({
  async POST(c) {
    const deps = c.var.deps;
    const user = c.var.auth!.user;
    const parsed = body.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw badRequest("Invalid credential: not a WebAuthn registration.");
    const passkey = await finishPasskeyRegistration(
      deps,
      user,
      parsed.data.credential as unknown as RegistrationResponseJSON,
      parsed.data.name,
    );
    deps.logger.info("passkey.registered", { user_id: user.id, passkey_id: passkey.id });
    return ok(c, passkeySummary(passkey), 201);
  },
});
