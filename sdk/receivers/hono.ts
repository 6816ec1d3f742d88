// Kayle ID webhook receiver for Hono: Deno (`deno serve -A hono.ts`), Bun (`bun run hono.ts`),
// Cloudflare Workers; on Node, serve `app.fetch` with @hono/node-server.
// `npm install @kayle-id/sdk hono` (Deno: `deno add npm:@kayle-id/sdk npm:hono`).
//
//   KAYLE_WEBHOOK_SECRETS=whsec_…[,whsec_…]            current secret, and the previous one while rotating
//   KAYLE_WEBHOOK_PRIVATE_KEYS='{"whk_…": {…private JWK…}}'   your private keys by key id
//
// Read the body with `c.req.text()` (or `c.req.arrayBuffer()`), never `c.req.json()`, and put no
// body-transforming middleware on this route.
import { Hono } from "hono";
import { env } from "hono/adapter";
import { bodyLimit } from "hono/body-limit";
import { KayleWebhookError, verifyAndDecrypt } from "@kayle-id/sdk";

type Env = { KAYLE_WEBHOOK_SECRETS?: string; KAYLE_WEBHOOK_PRIVATE_KEYS?: string };

const app = new Hono();

// Deliveries are a few KiB: a larger body is refused before it is read (413), as the other
// receivers do, so nobody can fill this server's memory without the secret.
const limit = bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.text("payload_too_large", 413) });

app.post("/webhooks/kayle", limit, async (c) => {
  const config = env<Env>(c);
  const signingSecrets = (config.KAYLE_WEBHOOK_SECRETS ?? "").split(",").filter(Boolean);
  const privateKeys = JSON.parse(config.KAYLE_WEBHOOK_PRIVATE_KEYS ?? "{}");
  const rawBody = await c.req.text();
  try {
    const event = await verifyAndDecrypt(rawBody, c.req.raw.headers, {
      signingSecrets,
      privateKeys,
    });
    // Deduplicate on event.metadata.event_id and queue the work; answer quickly.
    const claims = "claims" in event.data ? event.data.claims : null;
    console.log(
      "kayle webhook verified:",
      JSON.stringify({ type: event.type, event_id: event.metadata.event_id, claims }),
    );
    return c.body(null, 204);
  } catch (error) {
    if (error instanceof KayleWebhookError) {
      console.log("kayle webhook refused:", error.code);
      return c.text(error.code, 400);
    }
    throw error; // 500: Kayle ID retries later
  }
});

export default app;
