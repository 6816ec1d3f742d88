/**
 * The paste-able receivers of `sdk/receivers/` that need no build: Hono (served by `deno serve`,
 * importing the SDK's source through the repository's import map) and Python (Debian's
 * `/usr/bin/python3` with `python3-cryptography`). Each gets a real delivery from a real server,
 * verifies and decrypts it and prints the claims; a forged delivery is refused.
 */
import assert from "node:assert/strict";
import { EDGE_CASES, runReceiverSample, type SdkServer, startSdkServer } from "./support/sdk.ts";

const root = new URL("../", import.meta.url).pathname;

function expectClaims(run: Awaited<ReturnType<typeof runReceiverSample>>) {
  assert.equal(run.summary.type, "verification.session.succeeded");
  assert.match(run.summary.event_id, /^evt_/);
  assert.equal(run.summary.claims?.family_name, "ERIKSSON");
  assert.equal(run.summary.claims?.age_over_18, true);
  assert.match(String(run.summary.claims?.kayle_document_id), /^kdid_/);
  assert.deepEqual(run.refusal, { status: 400, body: "signature_mismatch" });
  assert.deepEqual(run.edges, EDGE_CASES);
}

Deno.test({
  name: "sdk receivers: Hono and Python samples verify, decrypt and print a real delivery",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    let server: SdkServer | null = null;
    try {
      server = await startSdkServer();
      const s = server;
      await t.step("Hono (deno serve)", async () => {
        const run = await runReceiverSample(s, (env) =>
          new Deno.Command(Deno.execPath(), {
            args: [
              "serve",
              "-A",
              "--host",
              "127.0.0.1",
              "--port",
              env.PORT,
              "sdk/receivers/hono.ts",
            ],
            cwd: root,
            env: { ...env, NO_COLOR: "1" },
            stdout: "piped",
            stderr: "piped",
          }).spawn());
        expectClaims(run);
      });
      await t.step("Python (standard library + cryptography)", async () => {
        const run = await runReceiverSample(s, (env) =>
          new Deno.Command("/usr/bin/python3", {
            args: ["sdk/receivers/receiver.py"],
            cwd: root,
            env,
            stdout: "piped",
            stderr: "piped",
          }).spawn());
        expectClaims(run);
      });
    } finally {
      await server?.close();
    }
  },
});
