// Kayle ID webhook receiver on plain `node:http` (Node 20+): `npm install @kayle-id/sdk`.
//
//   KAYLE_WEBHOOK_SECRETS=whsec_…[,whsec_…]            current secret, and the previous one while rotating
//   KAYLE_WEBHOOK_PRIVATE_KEYS='{"whk_…": {…private JWK…}}'   your private keys by key id
//   PORT=3000 node node-http.mjs
//
// The raw body is the request stream's chunks, concatenated: verify that Buffer, never a string
// rebuilt from a parsed object.
import { createServer } from "node:http";
import { KayleWebhookError, verifyAndDecrypt } from "@kayle-id/sdk";

const signingSecrets = (process.env.KAYLE_WEBHOOK_SECRETS ?? "").split(",").filter(Boolean);
const privateKeys = JSON.parse(process.env.KAYLE_WEBHOOK_PRIVATE_KEYS ?? "{}");
const MAX_BODY = 1024 * 1024;

const server = createServer(async (req, res) => {
  if (req.method !== "POST" || req.url !== "/webhooks/kayle") {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) {
      res.writeHead(413).end();
      return;
    }
    chunks.push(chunk);
  }
  const rawBody = Buffer.concat(chunks);
  try {
    const event = await verifyAndDecrypt(rawBody, req.headers, { signingSecrets, privateKeys });
    // Deduplicate on event.metadata.event_id and queue the work; answer quickly.
    console.log(
      "kayle webhook verified:",
      JSON.stringify({
        type: event.type,
        event_id: event.metadata.event_id,
        claims: event.data.claims ?? null,
      }),
    );
    res.writeHead(204).end();
  } catch (error) {
    if (error instanceof KayleWebhookError) {
      console.log("kayle webhook refused:", error.code);
      res.writeHead(400, { "content-type": "text/plain" }).end(error.code);
    } else {
      console.error(error);
      res.writeHead(500).end(); // Kayle ID retries later
    }
  }
});

server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
