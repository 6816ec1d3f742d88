/**
 * API-key authentication for `/v1`: `Authorization: Bearer kk_...` looked up by keyed hash,
 * disabled or deleted → 401, missing scope → 403, per-key rate limit → 429 with Retry-After.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../framework/define.ts";
import { ApiError, rateLimited } from "../http/errors.ts";
import { API_KEY_PATTERN, findApiKeyBySecret, hasScope, type Scope } from "./api_keys.ts";

/** Requests per key per minute unless configured (`KAYLE_API_RATE_LIMIT_PER_MINUTE`). */
export const API_KEY_RATE_LIMIT_PER_MINUTE = 600;

/** Middleware requiring an active key with `scope`. */
export function requireApiKey(scope: Scope): MiddlewareHandler<AppEnv> {
  return async function apiKeyAuth(c, next) {
    const deps = c.var.deps;
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new ApiError(401, "UNAUTHORIZED", "Missing API key.", {
        hint: "Send `Authorization: Bearer kk_...` with a key from the dashboard.",
      });
    }
    const secret = match[1];
    if (!API_KEY_PATTERN.test(secret)) {
      throw new ApiError(401, "UNAUTHORIZED", "Malformed API key.", {
        hint: "API keys look like kk_live_… or kk_test_… followed by 32 characters.",
      });
    }
    const key = await findApiKeyBySecret(deps, secret);
    if (!key) throw new ApiError(401, "UNAUTHORIZED", "Unknown or deleted API key.");
    if (key.status !== "active") {
      throw new ApiError(401, "UNAUTHORIZED", "This API key is disabled.", {
        hint: "Re-enable it in the dashboard or use another key.",
      });
    }
    const decision = await deps.limiter.hit(
      "api_key",
      key.id,
      deps.config.apiRateLimitPerMinute,
      60_000,
    );
    if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
    if (!hasScope(key.scopes, scope)) {
      throw new ApiError(403, "FORBIDDEN", `This API key lacks the ${scope} scope.`, {
        hint: "Create a key with the scope in the dashboard.",
      });
    }
    deps.usage.record(key.id);
    c.set("apiKey", key);
    await next();
  };
}
