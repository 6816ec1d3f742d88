/** `POST /v1/webhooks/keys/{id}/reactivate`: makes the key the endpoint's only active key. */
import { define } from "../../../../../lib/framework/define.ts";
import { keyStatusOperation } from "../../../../../webhooks/key_status_operation.ts";

export const api = define.api({ POST: keyStatusOperation("active") });
