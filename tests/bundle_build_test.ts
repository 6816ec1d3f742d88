/**
 * `deno task build`: a content-hashed islands bundle served `immutable`, reused by `start` when
 * present; every other static file is revalidated (`no-cache`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureIslandBundle } from "../lib/framework/manifest.ts";
import { createTestApp } from "./support/app.ts";

Deno.test("a hashed bundle is immutable; other static files are no-cache", async () => {
  const name = `islands.${"0123456789abcdef"}.js`;
  const file = new URL(`../static/build/${name}`, import.meta.url);
  await Deno.mkdir(new URL("../static/build/", import.meta.url), { recursive: true });
  await Deno.writeTextFile(file, "export {};\n");
  const t = await createTestApp();
  try {
    const hashed = await t.app.request(`/static/build/${name}`);
    assert.equal(hashed.status, 200);
    assert.equal(hashed.headers.get("cache-control"), "public, max-age=31536000, immutable");
    await hashed.body?.cancel();
    const css = await t.app.request("/static/styles.css");
    assert.equal(css.status, 200);
    assert.equal(css.headers.get("cache-control"), "no-cache");
    await css.body?.cancel();
  } finally {
    await t.close();
    await Deno.remove(file);
  }
});

Deno.test("start reuses the recorded build when its file is present", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(root, "static", "build"), { recursive: true });
    const path = "/static/build/islands.fedcba9876543210.js";
    await Deno.writeTextFile(join(root, path.slice(1)), "export {};\n");
    await Deno.writeTextFile(
      join(root, "static", "build", "bundle.json"),
      JSON.stringify({ islands: path }),
    );
    // No islands.client.gen.ts in this folder: a build would fail, so this proves reuse.
    assert.equal(await ensureIslandBundle(root), path);
    await Deno.remove(join(root, path.slice(1)));
    await assert.rejects(() => ensureIslandBundle(root), /island bundle failed/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
