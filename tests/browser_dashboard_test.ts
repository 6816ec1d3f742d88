/**
 * Browser test in real headless Chromium against a real server: sign in, create an API key, see
 * it once, and the island on the page is hydrated (it reacts to a click).
 */
import assert from "node:assert/strict";
import { freePort, hasChromium, launchBrowser, screenshotPath } from "./helpers/browser.ts";
import { startServer } from "../main.ts";
import { loadConfig } from "../lib/core/config.ts";
import { openKv } from "../lib/core/kv.ts";
import { createUser } from "../lib/accounts/users.ts";
import { hashPassword } from "../lib/accounts/passwords.ts";
import { createOrganization } from "../lib/accounts/organizations.ts";
import { systemClock } from "../lib/core/clock.ts";
import { cryptoRandom } from "../lib/core/random.ts";
import { silentLogger } from "../lib/core/logger.ts";

Deno.test({
  name: "browser: sign in, create an API key, see it once, hydrated island reacts to a click",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const port = freePort();
    const config = loadConfig({
      KAYLE_DATA_DIR: dir,
      PORT: String(port),
      KAYLE_LOG_LEVEL: "error",
    });
    const kv = await openKv(config.kvPath);
    const user = await createUser(
      kv,
      { email: "owner@example.test", passwordHash: await hashPassword("browser password") },
      systemClock,
      cryptoRandom,
    );
    await createOrganization(
      kv,
      { name: "Browser Org", slug: "browser-org", ownerId: user.id },
      systemClock,
      cryptoRandom,
    );
    const server = await startServer(config, { kv, logger: silentLogger }, { background: false });
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
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
