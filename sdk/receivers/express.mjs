// Kayle ID webhook receiver for Express (Node 20+): `npm install @kayle-id/sdk express`.
//
//   KAYLE_WEBHOOK_SECRETS=whsec_…[,whsec_…]            current secret, and the previous one while rotating
//   KAYLE_WEBHOOK_PRIVATE_KEYS='{"whk_…": {…private JWK…}}'   your private keys by key id
//   PORT=3000 node express.mjs
//
// The one setting that matters: the webhook route gets `express.raw()`, so `req.body` is the Buffer
// exactly as received. A JSON parser (`express.json()`, `body-parser`) mounted before this route
// would leave nothing to verify; mount it after, or on your other routes only.
import express from "express";
import { KayleWebhookError, verifyAndDecrypt } from "@kayle-id/sdk";

const signingSecrets = (process.env.KAYLE_WEBHOOK_SECRETS ?? "").split(",").filter(Boolean);
const privateKeys = JSON.parse(process.env.KAYLE_WEBHOOK_PRIVATE_KEYS ?? "{}");

const app = express();

app.post(
  "/webhooks/kayle",
  // Every content type as raw bytes: the SDK refuses anything but application/jose by its code.
  express.raw({ type: () => true, limit: "1mb" }),
  async (req, res) => {
    try {
      const event = await verifyAndDecrypt(req.body, req.headers, { signingSecrets, privateKeys });
      // Deduplicate on event.metadata.event_id and queue the work; answer quickly.
      console.log(
        "kayle webhook verified:",
        JSON.stringify({
          type: event.type,
          event_id: event.metadata.event_id,
          claims: event.data.claims ?? null,
        }),
      );
      res.sendStatus(204);
    } catch (error) {
      if (error instanceof KayleWebhookError) {
        console.log("kayle webhook refused:", error.code);
        res.status(400).type("text/plain").send(error.code);
      } else {
        console.error(error);
        res.sendStatus(500); // Kayle ID retries later
      }
    }
  },
);

app.use(express.json()); // the rest of your API, after the webhook route

const server = app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
