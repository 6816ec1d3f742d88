/**
 * Tables wider than a phone scroll inside a focusable, labelled region (`components/TableScroll.tsx`),
 * so keyboard users reach the columns out of view: every table of the pages sits in one, and the
 * rendered page carries its role, label and tabindex.
 */
import assert from "node:assert/strict";
import { createTestApp, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";

async function* pages(dir: URL, prefix: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory) yield* pages(new URL(`${entry.name}/`, dir), path);
    else if (entry.name.endsWith(".tsx") && !entry.name.endsWith("_test.tsx")) yield path;
  }
}

Deno.test("every table of a page sits in a TableScroll", async () => {
  const bare: string[] = [];
  for (const dir of ["routes", "components", "islands"]) {
    for await (const path of pages(new URL(`../${dir}/`, import.meta.url), dir)) {
      const text = await Deno.readTextFile(new URL(`../${path}`, import.meta.url));
      const tables = text.match(/<table[\s>]/g)?.length ?? 0;
      const wrapped = text.match(/<TableScroll[\s>]/g)?.length ?? 0;
      if (tables !== wrapped) bare.push(`${path}: ${tables} tables, ${wrapped} wrapped`);
    }
  }
  assert.deepEqual(bare, []);
});

Deno.test("a rendered table's scrolling box is a focusable, labelled region", async () => {
  const t = await createTestApp();
  try {
    const seeded = await seedOrganization(t.deps);
    const browser = await FakeBrowser.signedIn(t, seeded);
    const html = await (await browser.get(`/organizations/${seeded.org.slug}/api-keys`)).text();
    assert.match(
      html,
      /<div class="table-scroll" role="region" aria-label="API keys" tabindex="0"><table>/,
    );
  } finally {
    await t.close();
  }
});
