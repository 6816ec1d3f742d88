/**
 * The webhooks pages in real headless Chromium (docs/dashboard.md "Webhooks"): "Send test event"
 * on an endpoint records a `webhook.test` delivery and links to it; the deliveries list filters by
 * endpoint, status and event type, shows when each was created and last tried, and shows the
 * last error only for failures (a success shows none, not its status code). Screenshots in
 * `test-results/`, axe-core with 0 violations. The endpoint keeps delivered payloads for a replay
 * when asked.
 */
import assert from "node:assert/strict";
import {
  hasChromium,
  launchBrowser,
  screenshotPath,
  startSeededServer,
} from "./support/browser.ts";
import { axeViolations } from "./support/verify_page.ts";
import { addDeliveryToCommit } from "../webhooks/deliveries.ts";
import type { DeliveryRecord } from "../webhooks/model.ts";
import { getOrganizationBySlug } from "../lib/accounts/organizations.ts";

function delivery(
  orgId: string,
  endpointId: string,
  id: string,
  patch: Partial<DeliveryRecord>,
): DeliveryRecord {
  const at = new Date().toISOString();
  return {
    id,
    orgId,
    mode: "test",
    endpointId,
    eventId: `evt_${"e".repeat(64)}`,
    eventType: "verification.session.succeeded",
    status: "succeeded",
    payload: null,
    keyId: null,
    attemptCount: 1,
    scheduledTries: 1,
    manualTryPending: false,
    nextAttemptAt: null,
    deliveringBy: null,
    deliveringUntil: null,
    lastAttemptAt: at,
    lastStatusCode: 204,
    lastErrorClass: null,
    failureReason: null,
    payloadExpiresAt: null,
    succeededAt: at,
    createdAt: at,
    updatedAt: at,
    ...patch,
  };
}

Deno.test({
  name: "browser: send a test event; delivery filters, times, last error only for failures",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startSeededServer({
      email: "hooks@example.test",
      password: "browser password",
      orgName: "Hooks Org",
      orgSlug: "hooks-org",
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("Email").fill("hooks@example.test");
      await page.getByLabel("Password").fill("browser password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/organizations\/hooks-org$/);
      await page.goto(`${server.url}/organizations/hooks-org/webhooks`);
      await page.getByLabel("Name").fill("Receiver");
      await page.getByLabel("URL (https)").fill("https://hooks.example.com/kayle");
      await page.getByRole("button", { name: "Add endpoint" }).click();
      await page.getByRole("link", { name: "Receiver" }).first().click();
      await page.waitForURL(/\/webhooks\/endpoints\/whe_/);
      const endpointId = page.url().split("/").at(-1)!;

      // Replay after success: keep delivered payloads 72 h.
      await page.getByLabel("Keep delivered payloads for a replay").selectOption("72");
      await page.getByRole("button", { name: "Save" }).click();
      await page.getByText("keeps delivered payloads 72 h").waitFor();
      await page.screenshot({
        path: await screenshotPath("dash-endpoint-retention"),
        fullPage: true,
      });
      await page.getByRole("button", { name: "Send test event" }).click();
      await page.getByTestId("test-delivery-link").waitFor();
      assert.match((await page.locator(".notice.success").textContent())!, /Test event recorded/);
      assert.deepEqual(await axeViolations(page), []);
      await page.screenshot({ path: await screenshotPath("dash-test-event"), fullPage: true });
      await page.getByTestId("test-delivery-link").click();
      await page.waitForURL(/\/webhooks\/deliveries\/whd_/);
      assert.match(await page.content(), /webhook\.test/);

      // A success and a failure of another event type, written as the worker would.
      const org = (await getOrganizationBySlug(server.kv, "hooks-org"))!;
      const ok = delivery(org.id, endpointId, `whd_${"1".repeat(64)}`, {});
      const bad = delivery(org.id, endpointId, `whd_${"2".repeat(64)}`, {
        status: "failed",
        eventType: "verification.session.failed",
        lastStatusCode: 500,
        lastErrorClass: "http_status",
        succeededAt: null,
      });
      const op = server.kv.atomic();
      addDeliveryToCommit(op, ok);
      addDeliveryToCommit(op, bad);
      assert.ok((await op.commit()).ok);

      const list = `${server.url}/organizations/hooks-org/webhooks/deliveries`;
      await page.goto(list);
      const rows = () => page.locator("tr[data-delivery-id]");
      assert.equal(await rows().count(), 3);
      const errorOf = (id: string) =>
        page.locator(`tr[data-delivery-id="${id}"] [data-testid="last-error"]`).textContent();
      assert.equal(await errorOf(ok.id), "—", "a success shows no error, not 204");
      assert.equal(await errorOf(bad.id), "http_status (500)");
      assert.match((await rows().first().textContent())!, /UTC/);
      assert.deepEqual(await axeViolations(page), []);
      await page.screenshot({ path: await screenshotPath("dash-deliveries"), fullPage: true });

      await page.getByLabel("Event type").selectOption("webhook.test");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/event_type=webhook\.test/);
      assert.equal(await rows().count(), 1);
      await page.getByLabel("Event type").selectOption("");
      await page.getByLabel("Status").selectOption("failed");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/status=failed/);
      // The failed one and the test event (no encryption key yet: failed no_active_key).
      const failedIds = await rows().evaluateAll((r) =>
        r.map((x) => (x as HTMLElement).dataset.deliveryId)
      );
      assert.equal(failedIds.length, 2);
      assert.ok(failedIds.includes(bad.id) && !failedIds.includes(ok.id));
      await page.getByLabel("Status").selectOption("");
      await page.getByLabel("Endpoint").selectOption({ label: "Receiver" });
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/endpoint_id=whe_/);
      assert.equal(await rows().count(), 3);
      await page.screenshot({ path: await screenshotPath("dash-deliveries-filtered") });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
