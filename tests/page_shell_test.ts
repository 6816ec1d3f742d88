/**
 * Every HTML page has one main landmark and declares its icon (so the browser asks for no
 * `/favicon.ico` that would answer 404): the 404 page, rendered without the groups' layouts, too.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./support/app.ts";

Deno.test("the 404 page and a group's page: one main landmark, an icon that exists", async () => {
  const t = await createTestApp();
  try {
    for (const [path, status] of [["/no/such/page", 404], ["/sign-in", 200]] as const) {
      const res = await t.app.request(path, { headers: { accept: "text/html" } });
      assert.equal(res.status, status, path);
      const html = await res.text();
      assert.equal(html.match(/<main[\s>]/g)?.length, 1, `${path}: one <main>`);
      const icon = /<link rel="icon" href="([^"]+)"/.exec(html)?.[1];
      assert.ok(icon, `${path}: an icon is declared`);
      const served = await t.app.request(icon);
      assert.equal(served.status, 200);
      assert.match(served.headers.get("content-type") ?? "", /image\/svg\+xml/);
      await served.body?.cancel();
    }
  } finally {
    await t.close();
  }
});
