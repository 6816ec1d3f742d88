/**
 * Browser test in real headless Chromium against a real server: sign in, create an API key, see
 * it once, and the island on the page is hydrated (it reacts to a click); the dashboard's test /
 * live switch changes the lists and is remembered (screenshots of both modes in test-results/).
 */
import assert from "node:assert/strict";
import {
  hasChromium,
  launchBrowser,
  screenshotPath,
  startSeededServer,
} from "./support/browser.ts";

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

Deno.test({
  name: "browser: the test / live switch shows one mode at a time and is remembered",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startSeededServer({
      email: "modes@example.test",
      password: "browser password",
      orgName: "Modes Org",
      orgSlug: "modes-org",
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("Email").fill("modes@example.test");
      await page.getByLabel("Password").fill("browser password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/organizations\/modes-org$/);
      // One key per mode, made in the dashboard; each creates one session over the API.
      const keyOf = async (mode: "test" | "live") => {
        await page.goto(`${server.url}/organizations/modes-org/api-keys`);
        await page.getByLabel("Name").fill(`${mode} backend`);
        await page.getByLabel("sessions:write").check();
        await page.locator(`input[name="mode"][value="${mode}"]`).check();
        await page.getByRole("button", { name: "Create API key" }).click();
        return (await page.getByTestId("secret-value").textContent())!.trim();
      };
      const sessionOf = async (secret: string) => {
        const response = await fetch(`${server.url}/v1/sessions`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: "{}",
        });
        return (await response.json()).data.id as string;
      };
      const testId = await sessionOf(await keyOf("test"));
      const liveId = await sessionOf(await keyOf("live"));
      // The key list shows both modes, each with its badge.
      await page.goto(`${server.url}/organizations/modes-org/api-keys`);
      assert.equal(await page.locator(".badge-test").count(), 1);
      assert.equal(await page.locator(".badge-live").count(), 1);

      const rows = () => page.locator("tr[data-session-id]");
      await page.goto(`${server.url}/organizations/modes-org/sessions`);
      assert.equal(await page.locator("nav.mode-switch").getAttribute("data-mode"), "test");
      assert.deepEqual(await rows().evaluateAll((r) => r.map((x) => x.dataset.sessionId)), [
        testId,
      ]);
      await page.screenshot({ path: await screenshotPath("dashboard-mode-test"), fullPage: true });

      await page.getByRole("link", { name: "Live data" }).click();
      await page.waitForSelector('nav.mode-switch[data-mode="live"]');
      assert.deepEqual(await rows().evaluateAll((r) => r.map((x) => x.dataset.sessionId)), [
        liveId,
      ]);
      await page.screenshot({ path: await screenshotPath("dashboard-mode-live"), fullPage: true });
      // Remembered on every organization page without the query parameter.
      await page.goto(`${server.url}/organizations/modes-org`);
      assert.equal(await page.locator("nav.mode-switch").getAttribute("data-mode"), "live");
      assert.match((await page.locator('[data-count="sessions"]').textContent())!, /^1 session /);
      await page.goto(`${server.url}/organizations/modes-org/sessions`);
      assert.deepEqual(await rows().evaluateAll((r) => r.map((x) => x.dataset.sessionId)), [
        liveId,
      ]);
      await page.getByRole("link", { name: "Test data" }).click();
      await page.waitForSelector('nav.mode-switch[data-mode="test"]');
      assert.deepEqual(await rows().evaluateAll((r) => r.map((x) => x.dataset.sessionId)), [
        testId,
      ]);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
