/** `POST /v1/webhooks/keys/{id}/deactivate`: the endpoint then has no active key until another is activated. */
import { define } from "../../../../../lib/framework/define.ts";
import { keyStatusOperation } from "../../../../../webhooks/key_status_operation.ts";

export const api = define.api({ POST: keyStatusOperation("inactive") });
