/**
 * The receiving side's rules that need no server: the one header grammar (docs/webhooks.md,
 * reading the header) in the SDK and in the Deno module alike; the Python sample comparing whole
 * seconds; the Hono sample refusing a large body before reading it; `webhook.test` in the SDK's
 * event type.
 */
import assert from "node:assert/strict";
import { parseSignatureHeader as sdkParse } from "../sdk/js/src/webhooks.ts";
import type { KayleEvent } from "../sdk/js/src/events.ts";
import { parseSignatureHeader as moduleParse } from "../webhooks/receiver.ts";

const SIG = "a".repeat(64);

Deno.test("the SDK and the Deno module read X-Kayle-Signature the same way", () => {
  const read = (parse: (h: string) => { timestamp: number; signatures: string[] }, h: string) => {
    try {
      const { timestamp, signatures } = parse(h);
      return `${timestamp} ${signatures.length}`;
    } catch (error) {
      return (error as { code: string }).code;
    }
  };
  const cases: Array<[string, string]> = [
    [`t=100,v1=${SIG}`, "100 1"],
    [`t=100, v1=${SIG} ,v1=${"b".repeat(64)}`, "100 2"],
    [`t=100,v1=${SIG},x`, "100 1"],
    [`t=100,v2=zzz,v1=${SIG}`, "100 1"],
    ["garbage", "malformed_signature"],
    [`t=1,t=100,v1=${SIG}`, "malformed_signature"],
    [`t=100,v1=${SIG}=x`, "malformed_signature"],
    [`t=100,v1=${SIG.toUpperCase()}`, "malformed_signature"],
    [`t=1e3,v1=${SIG}`, "malformed_signature"],
    [`v1=${SIG}`, "malformed_signature"],
  ];
  for (const [header, expected] of cases) {
    assert.equal(read(sdkParse, header), expected, `SDK: ${header}`);
    assert.equal(read(moduleParse, header), expected, `module: ${header}`);
  }
});

Deno.test("the Python sample compares the timestamp in whole seconds, as the SDK does", async () => {
  const script = [
    "import sys; sys.path.insert(0, 'sdk/receivers')",
    "import hmac, hashlib, receiver",
    "secret = 'whsec_' + 'R' * 32",
    "sig = hmac.new(secret.encode(), b'700.body', hashlib.sha256).hexdigest()",
    "header = 't=700,v1=' + sig",
    "receiver.verify_signature(b'body', header, [secret], 1000.9)",
    "try:",
    "    receiver.verify_signature(b'body', header, [secret], 1001.0)",
    "except receiver.WebhookRefused as refused:",
    "    print(refused.code)",
  ].join("\n");
  const { code, stdout, stderr } = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script],
    cwd: new URL("../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "timestamp_out_of_tolerance");
});

Deno.test("the Hono sample refuses a body over 1 MiB with 413 before reading it", async () => {
  const app = (await import("../sdk/receivers/hono.ts")).default;
  const big = await app.request("/webhooks/kayle", {
    method: "POST",
    headers: { "content-type": "application/jose" },
    body: new Uint8Array(1024 * 1024 + 1),
  });
  assert.equal(big.status, 413);
  await big.body?.cancel();
  const small = await app.request("/webhooks/kayle", {
    method: "POST",
    headers: { "content-type": "application/jose" },
    body: "e30.a.b.c.d",
  });
  assert.equal(small.status, 400);
  assert.equal(await small.text(), "missing_signature");
});

Deno.test("webhook.test is one of the SDK's event types", () => {
  const event: KayleEvent = {
    type: "webhook.test",
    metadata: { contract_version: 1, event_id: "evt_x", verification_session_id: "" },
    data: { endpoint_id: "whe_x", message: "a test" },
  };
  // Narrowing on the type compiles only if the union has it (`deno test` type-checks this file).
  assert.equal(event.type === "webhook.test" ? event.data.endpoint_id : null, "whe_x");
});
