/**
 * The short handoff link in real headless Chromium (docs/mobile-protocol.md "Short link"): on a
 * phone-sized screen `/h#<token>` resolves the token with a POST (never in a URL the server
 * logs), offers the app link, says what the user needs and names no product by default; with
 * `KAYLE_APP_NAME` and store links configured it names that app and links the stores; an expired
 * code says so. Screenshots in `test-results/`, axe-core with 0 violations.
 */
import assert from "node:assert/strict";
import type { Browser } from "npm:playwright-core@1.65.1";
import { hasChromium, launchBrowser, screenshotPath } from "./support/browser.ts";
import { axeViolations, startVerifyFixture } from "./support/verify_page.ts";
import { issueHandoff } from "../lib/handoff/handoff.ts";
import { loadConfig } from "../lib/core/config.ts";

const PHONE = {
  viewport: { width: 360, height: 740 },
  userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
    "Chrome/126.0 Mobile Safari/537.36",
  isMobile: true,
  hasTouch: true,
};

async function open(browser: Browser, url: string) {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const errors: string[] = [];
  const requested: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requested.push(r.url()));
  page.on("response", (r) => {
    if (r.status() >= 400 && r.status() !== 410) {
      errors.push(`${r.status()} ${r.url()}`);
    }
  });
  await page.goto(url);
  return { page, errors, requested };
}

Deno.test({
  name: "browser: the short link page resolves the code, explains, names the configured app",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const fixture = await startVerifyFixture();
    const browser = await launchBrowser();
    try {
      await t.step("default: no product named, the app link and what is needed", async () => {
        const session = await fixture.createSession("live");
        await fixture.consent(session.id, ["kayle_document_id"]);
        const handoff = await issueHandoff(fixture.deps, session.id);
        const { page, errors, requested } = await open(browser, handoff.short_link);
        const link = page.getByTestId("app-link");
        await link.waitFor();
        assert.equal(await link.getAttribute("href"), handoff.deep_link);
        const text = await page.locator("main").innerText();
        assert.doesNotMatch(text, /Kayle ID app|App Store|Google Play/);
        assert.match(text, /NFC/);
        const token = handoff.short_link.split("#")[1];
        assert.ok(requested.every((u) => !u.includes(token)), "the code is never in a URL");
        assert.equal(await page.getByRole("link", { name: "Sign in" }).count(), 0);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({ path: await screenshotPath("short-link-default"), fullPage: true });
        assert.deepEqual(errors, []);
        await page.context().close();
      });

      await t.step("configured: the app's name and store links", async () => {
        fixture.deps.config.app = loadConfig({
          KAYLE_APP_NAME: "Acme Passport",
          KAYLE_APP_IOS_URL: "https://apps.apple.com/app/id123456",
          KAYLE_APP_ANDROID_URL: "https://play.google.com/store/apps/details?id=com.acme",
        }).app;
        const session = await fixture.createSession("live");
        await fixture.consent(session.id, ["kayle_document_id"]);
        const handoff = await issueHandoff(fixture.deps, session.id);
        const { page, errors } = await open(browser, handoff.short_link);
        await page.getByTestId("app-link").waitFor();
        assert.equal(
          (await page.getByTestId("app-link").textContent())!.trim(),
          "Open Acme Passport",
        );
        assert.equal(
          await page.getByRole("link", { name: "App Store" }).getAttribute("href"),
          "https://apps.apple.com/app/id123456",
        );
        assert.equal(await page.getByRole("link", { name: "Google Play" }).count(), 1);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({
          path: await screenshotPath("short-link-configured"),
          fullPage: true,
        });
        assert.deepEqual(errors, []);
        await page.context().close();
      });

      await t.step("an expired code says so", async () => {
        const session = await fixture.createSession("live");
        await fixture.consent(session.id, ["kayle_document_id"]);
        const handoff = await issueHandoff(fixture.deps, session.id);
        fixture.clock.advance(6 * 60_000);
        const { page, errors } = await open(browser, handoff.short_link);
        await page.locator('[data-state="expired"]').waitFor();
        assert.match((await page.getByRole("alert").textContent())!, /expired/);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({ path: await screenshotPath("short-link-expired"), fullPage: true });
        assert.deepEqual(errors, []);
        await page.context().close();
      });
    } finally {
      await browser.close();
      await fixture.close();
    }
  },
});
