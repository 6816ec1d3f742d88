/** `GET /healthz`: 200 when KV answers, 503 otherwise (for load balancers and probes). */
import { define } from "../lib/framework/define.ts";
import { coreKeys } from "../lib/core/kv.ts";

export const handler = define.handlers({
  async GET(c) {
    const started = performance.now();
    try {
      await c.var.deps.kv.get(coreKeys.healthProbe());
      return c.json({
        data: { status: "ok", kv: "reachable", kv_ms: Math.round(performance.now() - started) },
        error: null,
      });
    } catch {
      return c.json({
        data: null,
        error: { code: "KV_UNREACHABLE", message: "The database does not answer." },
      }, 503);
    }
  },
});
