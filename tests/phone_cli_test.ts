/** `deno task phone` (the CLI function) against a served app: verification URL and deep link. */
import assert from "node:assert/strict";
import { createSession, publicCall, serveApp, setupHandoffApp } from "./support/handoff.ts";
import { runPhoneCli } from "../scripts/phone.ts";
import { parsePhoneLink, PhoneProtocolError } from "../phone/mod.ts";

Deno.test("phone CLI: a verification URL with a scenario, then a deep link", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const { id, verificationUrl } = await createSession(t);
    const expired = JSON.parse(
      await runPhoneCli([
        verificationUrl,
        "--scenario",
        "tampered_sod",
        "--device-id",
        "cli-phone",
        "--json",
      ]),
    );
    assert.equal(expired.sessionId, id);
    assert.equal(expired.status, "failed");
    assert.equal(expired.failureCode, "document_authenticity_failed");
    const handoff = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
    const deepLink = handoff.body.data.deep_link;
    assert.deepEqual(parsePhoneLink(handoff.body.data.deep_link_https), parsePhoneLink(deepLink));
    const text = await runPhoneCli([deepLink, "--device-id", "cli-phone"]);
    assert.match(text, /: succeeded — as the scenario expects/);
    assert.match(text, /completed/);
  } finally {
    await server.close();
    await t.close();
  }
});

Deno.test("phone CLI: usage errors", async () => {
  await assert.rejects(() => runPhoneCli([]), TypeError);
  await assert.rejects(() => runPhoneCli(["https://example.test/nothing"]), TypeError);
  await assert.rejects(
    () => runPhoneCli([`http://127.0.0.1:1/verify/vs_${"a".repeat(64)}`, "--scenario", "nope"]),
    /Unknown scenario/,
  );
});

Deno.test("phone CLI: says chip authenticated only on the server's word; explains --device-id", async () => {
  const t = await setupHandoffApp();
  const server = serveApp(t);
  try {
    const { verificationUrl } = await createSession(t);
    const lines: string[] = [];
    const failed = JSON.parse(
      await runPhoneCli(
        [verificationUrl, "--scenario", "tampered_sod", "--json"],
        (l) => lines.push(l),
      ),
    );
    assert.equal(failed.status, "failed");
    assert.ok(!lines.some((l) => /chip authenticated/.test(l)), lines.join("\n"));
    assert.ok(lines.includes("server: chip not authenticated (document_authenticity_failed)"));
    const device = lines.find((l) => l.startsWith("device "))!.slice("device ".length);
    // A retry from a new run is another device: refused, with what to do.
    const refused = await runPhoneCli([verificationUrl], () => {}).then(
      () => null,
      (error) => error,
    );
    assert.ok(refused instanceof PhoneProtocolError);
    assert.equal(refused.code, "HANDOFF_DEVICE_MISMATCH");
    assert.match(refused.message, /--device-id/);
    // With the first run's device id the retry goes through, and the server's verdict is printed.
    const retry: string[] = [];
    const text = await runPhoneCli([verificationUrl, "--device-id", device], (l) => retry.push(l));
    assert.match(text, /: succeeded — as the scenario expects/);
    assert.ok(retry.some((l) => l.startsWith("server: chip authenticated")), retry.join("\n"));
  } finally {
    await server.close();
    await t.close();
  }
});
