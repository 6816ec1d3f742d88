/**
 * Browser test in real headless Chromium: the instance owner sees the "no CSCA" banner on the
 * organization dashboard, follows it to the trust store, uploads a master list with its root, and
 * reads the result and the anchors. Screenshots in `test-results/`, axe-core on both pages.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  hasChromium,
  launchBrowser,
  screenshotPath,
  startSeededServer,
} from "./support/browser.ts";
import { axeViolations } from "./support/verify_page.ts";
import { vectorsDir } from "../verify/vectors_test_support.ts";

Deno.test({
  name: "browser: banner while no CSCA is trusted; the owner imports a master list by upload",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startSeededServer({
      email: "owner@example.test",
      password: "browser password",
      orgName: "Trust Org",
      orgSlug: "trust-org",
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
      await page.waitForURL(/\/organizations\/trust-org$/);
      const banner = page.getByRole("alert").filter({ hasText: "Live verifications cannot" });
      assert.equal(await banner.count(), 1);
      await page.screenshot({ path: await screenshotPath("dashboard-no-csca-banner") });
      assert.deepEqual(await axeViolations(page), [], "axe on the organization page");
      await banner.getByRole("link", { name: /Import a master list/ }).click();
      await page.waitForURL(/\/trust-store$/);
      const dir = join(vectorsDir(), "masterlists");
      await page.getByLabel("Master list, LDIF, PEM or DER file")
        .setInputFiles(join(dir, "NL_ML_2026-07-22.ml"));
      await page.getByLabel(/Master list signing root/).setInputFiles(join(dir, "NL_ROOT_CA.der"));
      await page.getByRole("button", { name: "Import" }).click();
      const result = page.getByRole("status").filter({ hasText: "master_list: added" });
      await result.waitFor();
      assert.match((await result.textContent())!, /added \d{3}, already present 0/);
      assert.ok(await page.getByRole("heading", { name: /^NL \(\d+\)$/ }).isVisible());
      await page.screenshot({
        path: await screenshotPath("trust-store-imported"),
        fullPage: false,
      });
      assert.deepEqual(await axeViolations(page), [], "axe on the trust store page");
      await page.goto(`${server.url}/organizations/trust-org`);
      assert.equal(await page.getByText("Live verifications cannot").count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
