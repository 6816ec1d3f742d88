/**
 * Organizations, account and find by id in real headless Chromium (docs/dashboard.md): the
 * switcher and "New organization"; the settings page's rename and its delete section (what happens,
 * typed slug); the account page's change password and sign out everywhere; a `vs_` id pasted
 * anywhere on a page lands on the session, and the search box does the same. Screenshots in
 * `test-results/`, axe-core with 0 violations.
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
  name: "browser: switcher, rename and delete, change password, find by id by paste",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startSeededServer({
      email: "orgs@example.test",
      password: "browser password",
      orgName: "First Org",
      orgSlug: "first-org",
    });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("Email").fill("orgs@example.test");
      await page.getByLabel("Password").fill("browser password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/organizations\/first-org$/);

      await t.step("New organization and the switcher", async () => {
        await page.getByRole("link", { name: "New organization" }).click();
        await page.getByLabel("Name").fill("Second Org");
        await page.getByLabel("Slug").fill("second-org");
        await page.getByRole("button", { name: "Create organization" }).click();
        await page.waitForURL(/\/organizations\/second-org/);
        await page.getByRole("link", { name: "Switch organization" }).click();
        await page.waitForURL(/\/organizations$/);
        const orgs = page.getByTestId("org-list");
        assert.deepEqual(await orgs.locator("a").allTextContents(), ["First Org", "Second Org"]);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({ path: await screenshotPath("dash-org-switcher"), fullPage: true });
        await orgs.getByRole("link", { name: "First Org" }).click();
        await page.waitForURL(/\/organizations\/first-org$/);
      });

      await t.step("find by id: paste anywhere, and the search box", async () => {
        await page.goto(`${server.url}/organizations/first-org/api-keys`);
        await page.getByLabel("Name").fill("k");
        await page.getByLabel("sessions:write").check();
        await page.getByRole("button", { name: "Create API key" }).click();
        const secret = (await page.getByTestId("secret-value").textContent())!.trim();
        const created = await fetch(`${server.url}/v1/sessions`, {
          method: "POST",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: "{}",
        });
        const id = (await created.json()).data.id as string;
        await page.goto(`${server.url}/organizations/first-org`);
        await page.waitForSelector('[data-island="FindById"][data-hydrated="true"]', {
          state: "attached",
        });
        await page.locator("h1").click();
        await page.evaluate((text) => {
          const data = new DataTransfer();
          data.setData("text/plain", `see ${text} please`);
          document.querySelector("h1")!.dispatchEvent(
            new ClipboardEvent("paste", { clipboardData: data, bubbles: true }),
          );
        }, id);
        await page.waitForURL(new RegExp(`/organizations/first-org/sessions/${id}$`));
        await page.getByLabel("Find by id").fill(id);
        await page.getByRole("button", { name: "Find" }).click();
        await page.waitForURL(new RegExp(`/sessions/${id}$`));
        await page.goto(`${server.url}/organizations/first-org/find?id=vs_nothing`);
        assert.match((await page.locator("h1").textContent())!, /Nothing found/);
        assert.deepEqual(await axeViolations(page), []);
      });

      await t.step("settings: rename; the delete section says what happens", async () => {
        await page.goto(`${server.url}/organizations/second-org/settings`);
        await page.getByLabel("Organization name").fill("Second Org Renamed");
        await page.getByRole("button", { name: "Rename" }).click();
        await page.waitForURL(/renamed=1/);
        assert.match((await page.locator(".org-nav strong").textContent())!, /Second Org Renamed/);
        const zone = page.locator(".danger-zone");
        assert.match((await zone.textContent())!, /every API key stops working/);
        assert.match((await zone.textContent())!, /retention rules/);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({ path: await screenshotPath("dash-org-settings"), fullPage: true });
        await page.getByLabel("Type second-org to confirm").fill("second-org");
        await page.getByRole("button", { name: "Delete organization" }).click();
        await page.waitForURL(/\/organizations\?deleted=1$/);
        assert.deepEqual(await page.getByTestId("org-list").locator("a").allTextContents(), [
          "First Org",
        ]);
      });

      await t.step("account: change password, then sign out everywhere", async () => {
        const other = await browser.newContext();
        const otherPage = await other.newPage();
        await otherPage.goto(`${server.url}/sign-in`);
        await otherPage.getByLabel("Email").fill("orgs@example.test");
        await otherPage.getByLabel("Password").fill("browser password");
        await otherPage.getByRole("button", { name: "Sign in" }).click();
        await otherPage.waitForURL(/\/organizations\/first-org$/);

        await page.goto(`${server.url}/account`);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({ path: await screenshotPath("dash-account"), fullPage: true });
        await page.getByLabel("Current password").fill("browser password");
        await page.getByLabel("New password", { exact: true }).fill("a new browser password");
        await page.getByLabel("New password again").fill("a new browser password");
        await page.getByRole("button", { name: "Change password" }).click();
        await page.waitForURL(/changed=1/);
        await otherPage.goto(`${server.url}/account`);
        await otherPage.waitForURL(/\/sign-in/);
        await page.getByRole("button", { name: "End every session" }).click();
        await page.waitForURL(/\/sign-in/);
        await page.goto(`${server.url}/account`);
        await page.waitForURL(/\/sign-in/);
        await other.close();
      });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
