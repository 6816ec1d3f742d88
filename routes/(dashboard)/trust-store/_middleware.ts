/**
 * `/trust-store`: the instance owner only (lib/accounts/instance_owner.ts). Others, signed in or
 * not, are answered as if the page did not exist, except that a signed-out visitor is sent to sign
 * in first.
 */
import { define } from "../../../lib/framework/define.ts";
import { isInstanceOwner } from "../../../lib/accounts/instance_owner.ts";

export const handler = define.middleware(async function instanceOwnerOnly(c, next) {
  const auth = c.var.auth;
  if (!auth) {
    return c.redirect(`/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
  }
  if (!(await isInstanceOwner(c.var.deps.kv, auth.user.id))) return c.notFound();
  c.set("instanceOwner", true);
  await next();
});
