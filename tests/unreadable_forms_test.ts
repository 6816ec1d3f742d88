/**
 * A body that says it is a form and is not (a multipart body without its boundary, or with
 * garbage in it) is the sender's mistake: `400 BAD_REQUEST` from `readForm`
 * (`lib/http/forms.ts`), never a 500 logged as a server failure — on the end user's verify page,
 * on sign-in, and on a signed-in dashboard page that takes its CSRF token from a header.
 */
import assert from "node:assert/strict";
import { createTestApp, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import { createSessionViaApi, sessionsWorld } from "./support/sessions.ts";
import { createLogger } from "../lib/core/logger.ts";
import type { AppDeps } from "../lib/deps.ts";

const SAME_ORIGIN = { origin: "http://127.0.0.1:8787", "sec-fetch-site": "same-origin" };

/** Bodies that claim to be forms and cannot be read as one. */
const BROKEN: Array<[string, string]> = [
  ["multipart/form-data", "garbage"], // no boundary
  ["multipart/form-data; boundary=xyz", "garbage"], // no part of that boundary
];

function recordErrors(deps: AppDeps): string[] {
  const errors: string[] = [];
  deps.logger = createLogger({ sink: (line, level) => level === "error" && errors.push(line) });
  return errors;
}

async function assertUnreadable(response: Response, label: string): Promise<void> {
  assert.equal(response.status, 400, label);
  const body = await response.json();
  assert.equal(body.error.code, "BAD_REQUEST", label);
  assert.equal(body.error.message, "The form could not be read.", label);
}

Deno.test("a broken form on the verify page and on sign-in is 400, not a logged failure", async () => {
  const world = await sessionsWorld();
  const errors = recordErrors(world.deps);
  try {
    const session = await createSessionViaApi(world);
    for (const path of [`/verify/${session.id}`, "/sign-in"]) {
      for (const [type, body] of BROKEN) {
        const response = await world.app.request(`http://127.0.0.1:8787${path}`, {
          method: "POST",
          headers: { ...SAME_ORIGIN, "content-type": type },
          body,
        });
        await assertUnreadable(response, `${path} ${type}`);
      }
    }
    assert.deepEqual(errors, []);
  } finally {
    await world.close();
  }
});

Deno.test("a broken form with the CSRF token in its header is 400 and changes nothing", async () => {
  const t = await createTestApp();
  const errors = recordErrors(t.deps);
  try {
    const seeded = await seedOrganization(t.deps);
    const browser = await FakeBrowser.signedIn(t, seeded);
    const path = `/organizations/${seeded.org.slug}/api-keys`;
    const before = await (await browser.get(path)).text();
    const csrf = FakeBrowser.csrfOf(before);
    for (const [type, body] of BROKEN) {
      const response = await browser.send(path, {
        method: "POST",
        headers: { ...SAME_ORIGIN, "content-type": type, "x-csrf-token": csrf },
        body,
      });
      await assertUnreadable(response, type);
    }
    assert.equal(await (await browser.get(path)).text(), before, "no key was created");
    assert.deepEqual(errors, []);
  } finally {
    await t.close();
  }
});

Deno.test("no handler reads a form but through readForm", async () => {
  const readers: string[] = [];
  for (const dir of ["routes", "components", "islands", "lib", "webhooks"]) {
    for await (const path of walk(new URL(`../${dir}/`, import.meta.url), dir)) {
      const text = await Deno.readTextFile(new URL(`../${path}`, import.meta.url));
      if (/\.parseBody\(/.test(text) && path !== "lib/http/forms.ts") readers.push(path);
    }
  }
  assert.deepEqual(readers, []);
});

async function* walk(base: URL, prefix: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(base)) {
    const path = `${prefix}/${entry.name}`;
    if (entry.isDirectory) yield* walk(new URL(`${entry.name}/`, base), path);
    else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) yield path;
  }
}
