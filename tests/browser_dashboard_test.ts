/**
 * Browser test in real headless Chromium against a real server: sign in, create an API key, see
 * it once, and the island on the page is hydrated (it reacts to a click).
 */
import assert from "node:assert/strict";
import {
  hasChromium,
  launchBrowser,
  screenshotPath,
  startSeededServer,
} from "./helpers/browser.ts";

Deno.test({
  name: "browser: sign in, create an API key, see it once, hydrated island reacts to a click",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startSeededServer({
      email: "owner@example.test",
      password: "browser password",
      orgName: "Browser Org",
      orgSlug: "browser-org",
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("Email").fill("owner@example.test");
      await page.getByLabel("Password").fill("browser password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/organizations\/browser-org$/);
      await page.goto(`${server.url}/organizations/browser-org/api-keys`);
      await page.getByLabel("Name").fill("Checkout backend");
      await page.getByLabel("sessions:write").check();
      await page.getByLabel("webhooks:write").check();
      await page.getByRole("button", { name: "Create API key" }).click();
      const secret = page.getByTestId("secret-value");
      const shown = (await secret.textContent())!.trim();
      assert.match(shown, /^kk_test_[a-z0-9]{32}$/);
      await page.waitForSelector('[data-island="SecretReveal"][data-hydrated="true"]');
      await page.screenshot({
        path: await screenshotPath("dashboard-api-key-created"),
        fullPage: true,
      });
      await page.getByRole("button", { name: "Hide" }).click();
      assert.doesNotMatch((await secret.textContent())!, /kk_test_/, "the island hid the key");
      await page.getByRole("button", { name: "Show" }).click();
      assert.equal((await secret.textContent())!.trim(), shown);
      await page.goto(`${server.url}/organizations/browser-org/api-keys`);
      const listed = await page.content();
      assert.ok(!listed.includes(shown), "the key is never shown again");
      assert.ok(listed.includes(`…${shown.slice(-4)}`));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
