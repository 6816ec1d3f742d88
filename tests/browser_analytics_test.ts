/**
 * The analytics page and the overview's headline numbers in real headless Chromium, with data
 * made through the public API (sessions, the test helpers `simulate` and `expire`, cancel): the
 * SVG chart renders without a script, the figures match, the 30-day view has 30 days.
 * Screenshots in `test-results/`, axe-core with 0 violations.
 */
import assert from "node:assert/strict";
import {
  hasChromium,
  launchBrowser,
  screenshotPath,
  startSeededServer,
} from "./support/browser.ts";
import { axeViolations } from "./support/verify_page.ts";

Deno.test({
  name: "browser: analytics page and overview headline numbers",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startSeededServer({
      email: "stats@example.test",
      password: "browser password",
      orgName: "Stats Org",
      orgSlug: "stats-org",
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("response", (r) => {
        if (r.status() >= 400) {
          errors.push(`${r.status()} ${r.url()}`);
        }
      });
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("Email").fill("stats@example.test");
      await page.getByLabel("Password").fill("browser password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/organizations\/stats-org$/);
      await page.goto(`${server.url}/organizations/stats-org/api-keys`);
      await page.getByLabel("Name").fill("stats");
      await page.getByLabel("sessions:write").check();
      await page.getByRole("button", { name: "Create API key" }).click();
      const secret = (await page.getByTestId("secret-value").textContent())!.trim();
      const call = async (path: string, body: unknown = {}) => {
        const response = await fetch(`${server.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        const json = await response.json();
        assert.ok(response.ok, JSON.stringify(json));
        return json.data;
      };
      const session = async () => (await call("/v1/sessions")).id as string;
      await call(`/v1/test_helpers/sessions/${await session()}/simulate`, { scenario: "success" });
      await call(`/v1/test_helpers/sessions/${await session()}/simulate`, { scenario: "success" });
      await call(`/v1/test_helpers/sessions/${await session()}/simulate`, {
        scenario: "expired_document",
      });
      await call(`/v1/test_helpers/sessions/${await session()}/expire`);
      await call(`/v1/sessions/${await session()}/cancel`);

      await page.goto(`${server.url}/organizations/stats-org`);
      assert.equal(await page.locator('[data-figure="created"]').textContent(), "5");
      assert.equal(await page.locator('[data-figure="conversion"]').textContent(), "50.0 %");
      assert.equal(await page.locator('[data-figure="failed-attempts"]').textContent(), "1");
      assert.deepEqual(await axeViolations(page), []);
      await page.screenshot({ path: await screenshotPath("dash-overview"), fullPage: true });

      await page.getByRole("link", { name: "Analytics" }).first().click();
      await page.waitForURL(/\/analytics$/);
      const chart = page.getByTestId("analytics-chart");
      assert.equal(await chart.locator('rect[data-series="created"]').count(), 14);
      const today = await chart.locator("g[data-date]").last();
      assert.equal(
        await today.locator('rect[data-series="created"]').getAttribute("data-value"),
        "5",
      );
      assert.equal(
        await today.locator('rect[data-series="succeeded"]').getAttribute("data-value"),
        "2",
      );
      const box = (await chart.boundingBox())!;
      assert.ok(
        box.width > 500 && box.height > 150,
        `the chart is drawn (${box.width}×${box.height})`,
      );
      assert.match((await page.getByTestId("failure-codes").textContent())!, /document_expired/);
      assert.match((await page.locator('[data-figure="median"]').textContent())!, /^≤ /);
      assert.deepEqual(await axeViolations(page), []);
      await page.screenshot({ path: await screenshotPath("dash-analytics-14"), fullPage: true });

      await page.getByRole("link", { name: "Last 30 days" }).click();
      await page.waitForURL(/days=30$/);
      assert.equal(await chart.locator('rect[data-series="created"]').count(), 30);
      await page.screenshot({ path: await screenshotPath("dash-analytics-30"), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
