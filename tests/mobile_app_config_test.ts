/**
 * The server's side of the phone app: `KAYLE_APP_NAME` / `KAYLE_APP_STORE_URL` /
 * `KAYLE_APP_PLAY_URL` are read and validated, and the phone landing page of the verify pages
 * links to the app's store pages only when the app is configured.
 */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../lib/core/config.ts";
import { createSession, setupHandoffApp } from "./handoff_support.ts";

Deno.test("config: the phone app's name and store links, https only", () => {
  assert.equal(loadConfig({}).app, null);
  assert.equal(loadConfig({ KAYLE_APP_STORE_URL: "https://apps.example/a" }).app, null);
  assert.deepEqual(
    loadConfig({
      KAYLE_APP_NAME: "Acme ID",
      KAYLE_APP_STORE_URL: "https://apps.example/acme",
      KAYLE_APP_PLAY_URL: "https://play.example/acme",
    }).app,
    {
      name: "Acme ID",
      appStoreUrl: "https://apps.example/acme",
      playStoreUrl: "https://play.example/acme",
    },
  );
  assert.throws(
    () => loadConfig({ KAYLE_APP_NAME: "Acme ID", KAYLE_APP_PLAY_URL: "http://play.example/a" }),
    (e: unknown) =>
      e instanceof ConfigError && e.problems.some((p) => p.includes("KAYLE_APP_PLAY_URL")),
  );
});

Deno.test("phone landing page: store links when the app is configured, none otherwise", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    const page = async () =>
      await (await t.app.request(`http://127.0.0.1:8787/verify/${id}/phone`)).text();
    assert.ok(!(await page()).includes("app-store-links"));
    t.deps.config.app = {
      name: "Acme ID",
      appStoreUrl: "https://apps.example/acme",
      playStoreUrl: null,
    };
    const html = await page();
    assert.match(html, /Get Acme ID: <a href="https:\/\/apps\.example\/acme"[^>]*>App Store<\/a>/);
    assert.ok(!html.includes("Google Play"));
  } finally {
    await t.close();
  }
});
