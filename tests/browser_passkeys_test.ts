/**
 * Passkeys in real headless Chromium against a real server, with a CDP virtual authenticator
 * (CTAP2, resident keys, user verification): sign in with the password, add a passkey on
 * `/account`, sign out, sign in with the passkey alone (no email typed) and land on the dashboard.
 * The public URL is `http://localhost:<port>`: WebAuthn refuses IP addresses as RP IDs.
 */
import assert from "node:assert/strict";
import {
  hasChromium,
  launchBrowser,
  screenshotPath,
  startSeededServer,
} from "./support/browser.ts";
import { listPasskeys } from "../lib/accounts/passkeys.ts";

Deno.test({
  name: "browser: add a passkey on /account, sign out, sign in with the passkey alone",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const world = await startSeededServer({
      email: "passkey-owner@example.test",
      password: "browser password",
      orgName: "Passkey Org",
      orgSlug: "passkey-org",
      host: "localhost",
    });
    const { kv, userId } = world;
    const base = world.url;
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("WebAuthn.enable");
      const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
        options: {
          protocol: "ctap2",
          transport: "internal",
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
        },
      });

      await page.goto(`${base}/sign-in`);
      await page.getByLabel("Email").fill("passkey-owner@example.test");
      await page.getByLabel("Password").fill("browser password");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.waitForURL(/\/organizations\/passkey-org$/);

      await page.getByRole("link", { name: "Account" }).click();
      await page.waitForURL(/\/account$/);
      await page.waitForSelector('[data-island="PasskeyRegister"][data-hydrated="true"]');
      await page.getByLabel("Passkey name").fill("Virtual key");
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await page.getByTestId("passkeys").waitFor();
      assert.equal(await page.getByLabel("Name of Virtual key").inputValue(), "Virtual key");
      const stored = await listPasskeys(kv, userId);
      assert.equal(stored.length, 1);
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      assert.equal(credentials.length, 1);
      assert.equal(credentials[0].isResidentCredential, true, "a discoverable credential");
      await page.screenshot({ path: await screenshotPath("passkey-account"), fullPage: true });

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(/\/sign-in$/);
      const passkeyButton = page.getByRole("button", { name: "Sign in with a passkey" });
      await passkeyButton.waitFor();
      await page.screenshot({ path: await screenshotPath("passkey-sign-in-page") });
      await passkeyButton.click();
      await page.waitForURL(/\/organizations\/passkey-org$/);
      await page.screenshot({ path: await screenshotPath("passkey-sign-in"), fullPage: true });
      const [used] = await listPasskeys(kv, userId);
      assert.ok(used.lastUsedAt, "the passkey sign-in was recorded");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await world.close();
    }
  },
});
