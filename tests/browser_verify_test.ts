/**
 * The verify page in real headless Chromium against a real server (docs/verify-pages.md): the consent screen
 * lists the requested claims with their reasons; consent leads to the QR code and the deep link;
 * the QR code goes once a phone is bound; a cancel ends the session with
 * `verification.session.cancelled`; an expired session shows its state; a test session shows its
 * banner; a phone-sized screen gets the deep-link button. Every state is screenshotted to
 * `test-results/` and checked with axe-core. One browser for the whole file.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "npm:playwright-core@1.65.1";
import { hasChromium, launchBrowser, screenshotPath } from "./support/browser.ts";
import { axeViolations, startVerifyFixture, type VerifyFixture } from "./support/verify_page.ts";
import { qrSvgShape } from "../lib/qr/qr_svg.ts";
import { listSessionEvents } from "../lib/events/events.ts";
import { claimWithToken } from "../lib/handoff/claim.ts";
import { issueHandoff } from "../lib/handoff/handoff.ts";
import { httpPhoneApi, resolvePhoneLink, runPhone } from "../phone/mod.ts";

const SHARE_FIELDS = {
  given_names: { required: true, reason: "To address you by name on your booking" },
  age_over_18: { required: true, reason: "Only adults may rent a car" },
  nationality_code: { required: false, reason: "To show visa advice for your trip" },
};

const PHONE = {
  viewport: { width: 320, height: 640 },
  userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
    "Chrome/126.0 Mobile Safari/537.36",
  isMobile: true,
  hasTouch: true,
};

async function openPage(
  browser: Browser,
  url: string,
  options: { phone?: boolean; fakeClock?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext(
    options.phone ? PHONE : { viewport: { width: 1024, height: 800 } },
  );
  const page = await context.newPage();
  // A controllable clock lets the test see the handoff token renewed without waiting minutes.
  if (options.fakeClock) await page.clock.install();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400) {
      errors.push(`${r.status()} ${r.url()}`);
    }
  });
  await page.goto(url);
  return { page, errors };
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: await screenshotPath(name), fullPage: true });
}

async function assertAccessible(page: Page, state: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe violations in the ${state} state`);
}

async function hydrated(page: Page, island: string): Promise<void> {
  await page.waitForSelector(`[data-island="${island}"][data-hydrated="true"]`, {
    state: "attached",
  });
}

Deno.test({
  name: "browser: the verify page from consent to QR, cancel, expiry, test mode and phone size",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const fixture: VerifyFixture = await startVerifyFixture();
    const browser = await launchBrowser();
    try {
      await t.step(
        "consent lists every claim with its reason; consent leads to the QR",
        async () => {
          const session = await fixture.createSession("live", { share_fields: SHARE_FIELDS });
          const { page, errors } = await openPage(browser, session.verification_url, {
            fakeClock: true,
          });
          await page.getByRole("heading", {
            level: 1,
            name: `${fixture.orgName} asks to verify your identity`,
          })
            .waitFor();
          const form = page.getByTestId("consent-form");
          for (
            const [label, reason] of [
              ["Given names", SHARE_FIELDS.given_names.reason],
              ["Age over 18", SHARE_FIELDS.age_over_18.reason],
              ["Nationality", SHARE_FIELDS.nationality_code.reason],
              ["Kayle Document ID", 'Sharing "Kayle Document ID"'],
            ]
          ) {
            const row = form.locator("li.claim", { hasText: label });
            assert.equal(await row.count(), 1, `${label} listed once`);
            assert.match((await row.textContent())!, new RegExp(reason.replace(/[()"]/g, ".")));
          }
          const text = (await form.textContent())!;
          assert.doesNotMatch(
            text,
            /date of birth/i,
            "an age gate never shows as the date of birth",
          );
          const age = page.getByLabel(/Age over 18/);
          assert.ok(
            await age.isChecked() && await age.isDisabled(),
            "required claims are checked and locked",
          );
          const nationality = page.getByLabel(/Nationality/);
          assert.ok(await nationality.isEnabled(), "optional claims are a choice");
          assert.match(
            await page.getByTestId("nothing-kept").textContent() ?? "",
            /Nothing is kept/,
          );
          await hydrated(page, "ConsentForm");
          await shoot(page, "verify-1-consent");
          await assertAccessible(page, "consent");

          await nationality.uncheck();
          await page.getByRole("button", { name: "Agree and continue" }).click();
          const qr = page.getByTestId("qr-code");
          await qr.waitFor();
          const deepLink = (await page.getByTestId("deep-link").textContent())!;
          assert.match(deepLink, /^http:\/\/127\.0\.0\.1:\d+\/h#[A-Za-z0-9_-]{43}$/);
          assert.equal(await qr.getAttribute("data-qr-text"), deepLink);
          assert.equal(
            await qr.locator("path").getAttribute("d"),
            qrSvgShape(deepLink).path,
            "the QR encodes the deep link",
          );
          const summary = (await page.getByTestId("consent-summary").textContent())!;
          assert.match(summary, /Age over 18/);
          assert.doesNotMatch(summary, /Nationality/, "the unchecked optional claim is not shared");
          await hydrated(page, "LiveStatus");
          assert.match(
            (await page.getByTestId("status-headline").textContent())!,
            /Waiting for your phone/,
          );
          await shoot(page, "verify-2-handoff-qr");
          await assertAccessible(page, "handoff");

          // The token lives 5 minutes: the page asks for a fresh one 30 s before it expires.
          await hydrated(page, "HandoffPanel");
          const renewal = page.waitForRequest((r) =>
            r.method() === "POST" && r.url().endsWith(`/${session.id}/handoff`)
          );
          await page.clock.fastForward("04:35");
          assert.equal(
            (await (await renewal).response())?.status(),
            200,
            "the handoff was renewed",
          );
          await page.getByTestId("qr-code").waitFor();

          // A phone claims the attempt: the session is bound, the QR code goes away.
          const handoff = await issueHandoff(fixture.deps, session.id);
          await claimWithToken(fixture.deps, {
            sessionId: session.id,
            token: handoff.mobile_write_token,
            deviceId: "phone-1",
          });
          await page.getByTestId("same-device").waitFor();
          assert.equal(
            await page.getByTestId("qr-code").count(),
            0,
            "no QR pairing once same_device_only",
          );
          assert.equal(
            await page.getByTestId("change-consent").count(),
            0,
            "consent is fixed once a phone claimed",
          );
          await page.locator('[data-phase="in_progress"]').waitFor();
          await shoot(page, "verify-3-same-device");
          assert.deepEqual(errors, []);
          await page.context().close();
        },
      );

      await t.step(
        "a phone run moves the page live to success, then to the redirect URL",
        async () => {
          const session = await fixture.createSession("test", {
            share_fields: SHARE_FIELDS,
            redirect_url: "https://rp.example.test/return?order=7",
          });
          const { page, errors } = await openPage(browser, session.verification_url);
          await page.route(
            "https://rp.example.test/**",
            (route) => route.fulfill({ status: 200, body: "welcome back" }),
          );
          await hydrated(page, "ConsentForm");
          await page.getByRole("button", { name: "Agree and continue" }).click();
          await hydrated(page, "LiveStatus");
          // The phone scans the QR code: it gets exactly the deep link the page shows.
          const link = await resolvePhoneLink((await page.getByTestId("deep-link").textContent())!);
          assert.equal(link.sessionId, session.id);
          const result = await runPhone({
            api: httpPhoneApi(link.baseUrl),
            sessionId: link.sessionId,
            handoff: { token: link.token!, mobileUrl: link.mobileUrl! },
            scenario: "success",
            now: fixture.clock.now(),
          });
          assert.equal(result.status, "succeeded");
          await page.locator('[data-phase="success"]').waitFor();
          assert.match(
            (await page.getByTestId("status-headline").textContent())!,
            /You are verified/,
          );
          assert.match(
            (await page.getByTestId("countdown").textContent())!,
            /Taking you back in [1-5] seconds?/,
          );
          assert.equal(
            await page.getByTestId("handoff").count(),
            0,
            "the handoff is gone once the session ended",
          );
          await shoot(page, "verify-3b-success");
          await assertAccessible(page, "success");
          await page.waitForURL(`https://rp.example.test/return?order=7&session_id=${session.id}`, {
            timeout: 10_000,
          });
          assert.deepEqual(errors, []);
          await page.context().close();
        },
      );

      await t.step(
        "cancel asks for confirmation and ends the session (cancelled by the user)",
        async () => {
          const session = await fixture.createSession("live", {
            share_fields: SHARE_FIELDS,
            redirect_url: "https://rp.example.test/done?order=42",
          });
          await fixture.consent(session.id, ["given_names", "age_over_18", "kayle_document_id"]);
          const { page, errors } = await openPage(browser, session.verification_url);
          await hydrated(page, "CancelButton");
          await page.route(
            "https://rp.example.test/**",
            (route) => route.fulfill({ status: 200, body: "back at the shop" }),
          );
          await page.getByRole("button", { name: "Cancel verification" }).click();
          const yes = page.getByRole("button", { name: "Yes, cancel" });
          await yes.waitFor();
          assert.ok(
            await yes.evaluate((el) => el === document.activeElement),
            "focus moves to the question",
          );
          await shoot(page, "verify-4-cancel-confirm");
          await assertAccessible(page, "cancel confirmation");
          await yes.click();
          await page.locator('[data-phase="cancelled"]').waitFor();
          assert.match(
            (await page.getByTestId("countdown").textContent())!,
            /Taking you back in \d seconds?/,
          );
          assert.equal(await page.getByTestId("qr-code").count(), 0);
          await shoot(page, "verify-5-cancelled");
          const events = await listSessionEvents(fixture.deps.kv, session.id);
          const cancelled = events.filter((e) => e.type === "verification.session.cancelled");
          assert.equal(cancelled.length, 1);
          assert.equal((cancelled[0].data as { cancelled_by: string }).cancelled_by, "user");
          await page.waitForURL(`https://rp.example.test/done?order=42&session_id=${session.id}`);
          assert.deepEqual(errors, []);
          await page.context().close();
        },
      );

      await t.step(
        "a test session shows the banner and the simulate panel; phone size gets the button",
        async () => {
          const session = await fixture.createSession("test", { share_fields: SHARE_FIELDS });
          await fixture.consent(session.id, ["given_names", "age_over_18", "kayle_document_id"]);
          const { page, errors } = await openPage(browser, session.verification_url, {
            phone: true,
          });
          await page.getByTestId("test-mode-banner").waitFor();
          assert.match((await page.getByTestId("test-mode-banner").textContent())!, /Test mode/i);
          const button = page.getByTestId("deep-link-button");
          assert.match((await button.getAttribute("href"))!, /^kayleid:\/\/verify\?/);
          assert.equal(
            await page.getByTestId("qr-code").count(),
            0,
            "a phone gets the button, not a QR",
          );
          await page.getByTestId("simulate").waitFor();
          await hydrated(page, "SimulatePanel");
          await page.getByLabel("Scenario").selectOption("another_face");
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= 320, `no horizontal scrolling at 320 px (content is ${width} px)`);
          await shoot(page, "verify-6-test-mode-phone-320");
          await assertAccessible(page, "test mode at 320 px");
          const simulated = page.waitForResponse((r) => r.url().endsWith("/test_simulate"), {
            timeout: 60_000,
          });
          await page.getByRole("button", { name: "Run the phone" }).click();
          const answer = await simulated;
          assert.equal(answer.status(), 200, await answer.text());
          // The phone page mints a fresh credential for the retry at once, so the failure may show
          // as the retry phase or as the detail under "continue on your phone".
          await page.getByText(/did not match the photo in the passport/).waitFor({
            timeout: 10_000,
          });
          const retry = (await page.getByTestId("live-status").textContent())!;
          assert.match(
            retry,
            /did not match the photo in the passport/,
            "plain-language failure message",
          );
          assert.match(retry, /2 attempts left/);
          await shoot(page, "verify-6b-test-mode-attempt-failed");
          assert.deepEqual(errors, []);
          await page.context().close();
        },
      );

      await t.step(
        "the consent screen fits 320 px; cancelling there ends the session in place",
        async () => {
          const session = await fixture.createSession("live", { share_fields: SHARE_FIELDS });
          const { page, errors } = await openPage(browser, session.verification_url, {
            phone: true,
          });
          await hydrated(page, "ConsentForm");
          await hydrated(page, "CancelButton");
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= 320, `no horizontal scrolling at 320 px (content is ${width} px)`);
          await shoot(page, "verify-1b-consent-phone-320");
          await assertAccessible(page, "consent at 320 px");
          await page.getByRole("button", { name: "Cancel verification" }).click();
          await page.getByRole("button", { name: "Yes, cancel" }).click();
          await page.locator('[data-phase="cancelled"]').waitFor();
          assert.equal(
            await page.getByTestId("consent-form").count(),
            0,
            "no consent form on an ended session",
          );
          await shoot(page, "verify-5b-cancelled-on-consent-screen");
          await assertAccessible(page, "cancelled on the consent screen");
          assert.deepEqual(errors, []);
          await page.context().close();
        },
      );

      await t.step("the https deep link lands on a page that offers the app link", async () => {
        const session = await fixture.createSession("live");
        await fixture.consent(session.id, ["kayle_document_id"]);
        const handoff = await issueHandoff(fixture.deps, session.id);
        const { page, errors } = await openPage(browser, handoff.deep_link_https, { phone: true });
        await hydrated(page, "PhoneLanding");
        assert.equal(await page.getByTestId("app-link").getAttribute("href"), handoff.deep_link);
        await shoot(page, "verify-8-phone-landing");
        await assertAccessible(page, "phone landing");
        assert.deepEqual(errors, []);
        await page.context().close();
      });

      await t.step(
        "without JavaScript the consent form still posts and the QR code shows",
        async () => {
          const session = await fixture.createSession("live", { share_fields: SHARE_FIELDS });
          const context = await browser.newContext({ javaScriptEnabled: false });
          const page = await context.newPage();
          await page.goto(session.verification_url);
          await page.getByRole("button", { name: "Agree and continue" }).click();
          await page.getByTestId("qr-code").waitFor();
          assert.match(
            (await page.getByTestId("consent-summary").textContent())!,
            /Nationality/,
            "all boxes were checked",
          );
          assert.ok(
            page.url().endsWith(new URL(session.verification_url).search),
            "back on the page with its token",
          );
          await page.getByRole("button", { name: "Cancel verification" }).click();
          await page.getByRole("button", { name: "Yes, cancel" }).click();
          await page.getByText("This verification was cancelled.").waitFor();
          await shoot(page, "verify-9-no-javascript-cancelled");
          await context.close();
        },
      );

      await t.step("the accessibility check is real: it reports a known violation", async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.setContent(
          '<html lang="en"><body><main><img src="/x.png"></main></body></html>',
        );
        assert.ok((await axeViolations(page)).some((v) => v.startsWith("image-alt")));
        await context.close();
      });

      await t.step("an expired session shows its state", async () => {
        const session = await fixture.createSession("live", { share_fields: SHARE_FIELDS });
        fixture.clock.advance(61 * 60 * 1000);
        const { page, errors } = await openPage(browser, session.verification_url);
        await page.locator('[data-phase="expired"]').waitFor();
        assert.match((await page.getByTestId("status-headline").textContent())!, /expired/);
        assert.equal(await page.getByTestId("consent-form").count(), 0);
        assert.equal(await page.getByTestId("cancel").count(), 0);
        await page.getByRole("button", { name: "Close this page" }).waitFor();
        await shoot(page, "verify-7-expired");
        await assertAccessible(page, "expired");
        assert.deepEqual(errors, []);
        await page.context().close();
      });
    } finally {
      await browser.close();
      await fixture.close();
    }
  },
});
