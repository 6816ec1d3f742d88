/**
 * Dashboard fixes in real headless Chromium (issue 17): the slug `pattern` compiles under the
 * `v` flag and the browser checks it; the endpoint page's add-key form stacks its fields and
 * takes the integrator's key id; a revealed signing secret says it can be revealed again; the end
 * user's verify page never shows the dashboard's Account / Sign out header, even with a dashboard
 * session in the browser; `/reference` has none of the hosted service's buttons. Screenshots in
 * `test-results/`, axe-core with 0 violations on every dashboard page.
 */
import assert from "node:assert/strict";
import type { Page } from "npm:playwright-core@1.65.1";
import {
  hasChromium,
  launchBrowser,
  screenshotPath,
  type SeededServer,
  startSeededServer,
} from "./support/browser.ts";
import { axeViolations } from "./support/verify_page.ts";
import { sharedKeyPair } from "./support/webhooks.ts";

/** An API key made in the dashboard, as an integrator would. */
async function apiKey(page: Page, server: SeededServer, slug: string): Promise<string> {
  await page.goto(`${server.url}/organizations/${slug}/api-keys`);
  await page.getByLabel("Name").fill("backend");
  await page.getByLabel("sessions:write").check();
  await page.getByRole("button", { name: "Create API key" }).click();
  return (await page.getByTestId("secret-value").textContent())!.trim();
}

async function signIn(page: Page, server: SeededServer, email: string, slug: string) {
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("browser password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(new RegExp(`/organizations/${slug}$`));
}

Deno.test({
  name: "browser: slug pattern, add-key form, reveal copy, verify page header, reference buttons",
  ignore: !hasChromium,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startSeededServer({
      email: "fixes@example.test",
      password: "browser password",
      orgName: "Fixes Org",
      orgSlug: "fixes-org",
    });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => {
        // A failed request is reported below with its address.
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
          errors.push(m.text());
        }
        if (m.type() === "warning" && /pattern/i.test(m.text())) errors.push(m.text());
      });
      page.on("response", (r) => {
        if (r.status() >= 400) {
          errors.push(`${r.status()} ${r.url()}`);
        }
      });
      await signIn(page, server, "fixes@example.test", "fixes-org");

      await t.step("the slug pattern is a valid v-flag regex the browser checks", async () => {
        await page.goto(`${server.url}/organizations/new`);
        const slug = page.getByLabel("Slug");
        await slug.fill("Not A Slug!");
        assert.equal(
          await slug.evaluate((i: HTMLInputElement) => i.validity.patternMismatch),
          true,
        );
        await slug.fill("good-slug-2");
        assert.equal(await slug.evaluate((i: HTMLInputElement) => i.validity.valid), true);
        assert.deepEqual(errors.filter((e) => /pattern/i.test(e)), []);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({
          path: await screenshotPath("dash-new-organization"),
          fullPage: true,
        });
      });

      let endpointUrl = "";
      await t.step("the add-key form stacks label, key, key id and button", async () => {
        await page.goto(`${server.url}/organizations/fixes-org/webhooks`);
        await page.getByLabel("Name").fill("Receiver");
        await page.getByLabel("URL (https)").fill("https://hooks.example.com/kayle");
        await page.getByRole("button", { name: "Add endpoint" }).click();
        await page.getByRole("link", { name: "Receiver" }).first().click();
        await page.waitForURL(/\/webhooks\/endpoints\/whe_/);
        endpointUrl = page.url();
        const form = page.getByTestId("add-key-form");
        const box = async (selector: string) => (await form.locator(selector).boundingBox())!;
        const label = await box('label[for="jwk"]');
        const area = await box("textarea");
        const kid = await box('input[name="kid"]');
        const button = await box('button[type="submit"]');
        assert.ok(area.y >= label.y + label.height - 1, "the key is below its label");
        assert.ok(kid.y > area.y + area.height, "the key id is below the key");
        assert.ok(button.y > kid.y + kid.height, "the button is below the fields");
        assert.ok(area.width >= 400, `the key box is wide (${area.width})`);
        assert.deepEqual(await axeViolations(page), []);
        await form.screenshot({ path: await screenshotPath("dash-endpoint-add-key-form") });

        const kidInput = form.locator('input[name="kid"]');
        await kidInput.fill("bad id with spaces");
        assert.equal(
          await kidInput.evaluate((i: HTMLInputElement) => i.validity.patternMismatch),
          true,
        );
        await kidInput.fill("acme:2026.rsa_1");
        const { publicJwk } = await sharedKeyPair();
        await form.locator("textarea").fill(JSON.stringify(publicJwk));
        await form.getByRole("button").click();
        await page.locator('tr[data-key-id] code:text("acme:2026.rsa_1")').waitFor();
        assert.match((await page.locator(".notice.success").textContent())!, /acme:2026\.rsa_1/);
      });

      await t.step("a revealed signing secret says it can be revealed again", async () => {
        await page.goto(endpointUrl);
        await page.getByRole("button", { name: "Reveal signing secret" }).click();
        const box = page.locator(".secret");
        await box.waitFor();
        const text = (await box.textContent())!;
        assert.doesNotMatch(text, /only once/);
        assert.match(text, /reveal it again/);
        assert.deepEqual(await axeViolations(page), []);
        await page.screenshot({
          path: await screenshotPath("dash-secret-revealed"),
          fullPage: true,
        });
      });

      await t.step(
        "the verify page shows no dashboard header with a dashboard session",
        async () => {
          const secret = await apiKey(page, server, "fixes-org");
          const created = await fetch(`${server.url}/v1/sessions`, {
            method: "POST",
            headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
            body: "{}",
          });
          const url = (await created.json()).data.verification_url as string;
          // The same browser context still has the dashboard session cookie.
          await page.goto(`${server.url}/account`);
          assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 1);
          await page.goto(url);
          await page.locator("main").waitFor();
          assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 0);
          assert.equal(await page.getByRole("link", { name: "Account" }).count(), 0);
          assert.equal(await page.getByRole("link", { name: "Sign in" }).count(), 0);
          assert.equal(await page.locator('header a[href="/"]').count(), 0);
          assert.deepEqual(await axeViolations(page), []);
          await page.screenshot({ path: await screenshotPath("dash-verify-no-dashboard-header") });
        },
      );

      await t.step("/reference has no Ask AI, Generate MCP or Deploy buttons", async () => {
        await page.goto(`${server.url}/reference`);
        await page.getByText("Create a verification session").first().waitFor({
          timeout: 30_000,
        });
        const body = (await page.locator("body").innerText()).toLowerCase();
        for (const hosted of ["ask ai", "generate mcp", "connect mcp", "deploy"]) {
          assert.ok(!body.includes(hosted), `the reference shows "${hosted}"`);
        }
        await page.screenshot({ path: await screenshotPath("dash-reference") });
      });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
