/** `POST /account/passkeys/options`: WebAuthn creation options for the signed-in user. */
import { define } from "../../../../lib/framework/define.ts";
import { ok } from "../../../../lib/http/envelope.ts";
import { beginPasskeyRegistration } from "../../../../lib/accounts/passkeys.ts";

export const handler = define.handlers({
  async POST(c) {
    return ok(c, await beginPasskeyRegistration(c.var.deps, c.var.auth!.user));
  },
});
