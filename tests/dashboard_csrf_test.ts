/**
 * Dashboard CSRF: the session's token is required on every signed-in state-changing request,
 * whatever its content type or letter case; the origin check (hono's CSRF middleware) refuses
 * cross-site form-like posts even when they carry a valid token.
 */
import assert from "node:assert/strict";
import { createTestApp, seedApiKey, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";

const SAME_ORIGIN = { origin: "http://127.0.0.1:8787", "sec-fetch-site": "same-origin" };

async function signedIn() {
  const t = await createTestApp();
  const seeded = await seedOrganization(t.deps);
  const browser = new FakeBrowser(t);
  const res = await browser.post("/sign-in", { email: seeded.email, password: seeded.password });
  assert.equal(res.status, 303);
  const path = `/organizations/${seeded.org.slug}/api-keys`;
  const csrf = FakeBrowser.csrfOf(await (await browser.get(path)).text());
  return { t, browser, path, csrf };
}

const fields = (name: string) => `action=create&name=${name}&scopes=sessions:write&mode=live`;

function multipart(name: string, csrf?: string): { body: string; type: string } {
  const boundary = "----kayle-boundary";
  const parts = { ...(csrf ? { _csrf: csrf } : {}), action: "create", name, mode: "live" };
  const lines = Object.entries({ ...parts, scopes: "sessions:write" }).map(([k, v]) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`
  );
  return { body: `${lines.join("")}--${boundary}--\r\n`, type: `boundary=${boundary}` };
}

Deno.test("CSRF: a signed-in post without the token is refused for every content type", async () => {
  const { t, browser, path } = await signedIn();
  const mp = multipart("evil-multipart");
  const variants: Array<[string, string | null, string]> = [
    ["lowercase urlencoded", "application/x-www-form-urlencoded", fields("evil1")],
    ["upper-case urlencoded", "application/X-WWW-FORM-URLENCODED", fields("evil2")],
    ["urlencoded with charset", "Application/x-www-form-urlencoded; charset=UTF-8", fields("e3")],
    ["multipart", `multipart/form-data; ${mp.type}`, mp.body],
    ["upper-case multipart", `MULTIPART/FORM-DATA; ${mp.type}`, mp.body],
    ["text/plain", "text/plain", fields("evil4")],
    ["no content type", null, fields("evil5")],
    ["json", "application/json", JSON.stringify({ action: "create", name: "evil6" })],
  ];
  for (const [label, type, body] of variants) {
    const headers: Record<string, string> = { ...SAME_ORIGIN };
    if (type) headers["content-type"] = type;
    const response = await browser.send(path, { method: "POST", headers, body });
    assert.equal(response.status, 403, label);
    assert.equal((await response.json()).error.code, "FORBIDDEN", label);
  }
  const page = await (await browser.get(path)).text();
  assert.doesNotMatch(page, /evil/, "no key was created");
  await t.close();
});

Deno.test("CSRF: the token is accepted in any letter case of the form types, and in the header", async () => {
  const { t, browser, path, csrf } = await signedIn();
  const upper = await browser.send(path, {
    method: "POST",
    headers: { ...SAME_ORIGIN, "content-type": "APPLICATION/X-WWW-FORM-URLENCODED" },
    body: `_csrf=${csrf}&${fields("upper-ok")}`,
  });
  assert.equal(upper.status, 200);
  const mp = multipart("multipart-ok", csrf);
  const multi = await browser.send(path, {
    method: "POST",
    headers: { ...SAME_ORIGIN, "content-type": `Multipart/Form-Data; ${mp.type}` },
    body: mp.body,
  });
  assert.equal(multi.status, 200);
  const header = await browser.send(path, {
    method: "POST",
    headers: {
      ...SAME_ORIGIN,
      "content-type": "application/x-www-form-urlencoded",
      "x-csrf-token": csrf,
    },
    body: fields("header-ok"),
  });
  assert.equal(header.status, 200);
  const page = await (await browser.get(path)).text();
  for (const name of ["upper-ok", "multipart-ok", "header-ok"]) {
    assert.match(page, new RegExp(name));
  }
  await t.close();
});

Deno.test("CSRF: cross-site or origin-less form-like posts are refused even with the token", async () => {
  const { t, browser, path, csrf } = await signedIn();
  const cases: Array<[string, Record<string, string>]> = [
    ["cross-site upper-case urlencoded", {
      origin: "https://evil.example",
      "sec-fetch-site": "cross-site",
      "content-type": "application/X-WWW-FORM-URLENCODED",
    }],
    ["cross-site text/plain", {
      origin: "https://evil.example",
      "sec-fetch-site": "cross-site",
      "content-type": "text/plain",
      "x-csrf-token": csrf,
    }],
    ["same-site is not same-origin", {
      origin: "https://sub.127.0.0.1.example",
      "sec-fetch-site": "same-site",
      "content-type": "application/x-www-form-urlencoded",
    }],
    ["no Origin, no Fetch Metadata", { "content-type": "application/x-www-form-urlencoded" }],
  ];
  for (const [label, headers] of cases) {
    const response = await browser.send(path, {
      method: "POST",
      headers,
      body: `_csrf=${csrf}&${fields("cross")}`,
    });
    assert.equal(response.status, 403, label);
  }
  const crossSignIn = await new FakeBrowser(t).send("/sign-in", {
    method: "POST",
    headers: {
      origin: "https://evil.example",
      "content-type": "Application/X-Www-Form-Urlencoded",
    },
    body: "email=a@example.test&password=x",
  });
  assert.equal(crossSignIn.status, 403, "login CSRF is refused too");
  assert.doesNotMatch(await (await browser.get(path)).text(), /cross/);
  await t.close();
});

Deno.test("the dashboard group ends at its folder: verify pages and the API ignore its session", async () => {
  const t = await createTestApp();
  const seeded = await seedOrganization(t.deps);
  const { secret } = await seedApiKey(t.deps, seeded.org.id);
  const browser = new FakeBrowser(t);
  await browser.post("/sign-in", { email: seeded.email, password: seeded.password });
  assert.ok(browser.cookies.size > 0, "signed in");
  const created = await browser.send("/v1/sessions", {
    method: "POST",
    // A bearer key with the dashboard cookie, even cross-site: the API is not cookie-based.
    headers: {
      authorization: `Bearer ${secret}`,
      "content-type": "application/json",
      "sec-fetch-site": "cross-site",
    },
    body: JSON.stringify({
      share_fields: { given_names: { required: true, reason: "To greet you by name" } },
    }),
  });
  assert.equal(created.status, 200);
  const url = new URL((await created.json()).data.verification_url);
  const page = `${url.pathname}${url.search}`;
  const consent = { intent: "consent", selected: ["given_names", "kayle_document_id"] };
  const crossSite = await browser.post(page, consent, {
    origin: "https://evil.example",
    "sec-fetch-site": "cross-site",
  });
  assert.equal(crossSite.status, 403, "the verify page refuses cross-site forms");
  const html = await (await browser.get(page)).text();
  assert.doesNotMatch(html, /name="_csrf"/, "the end user's page carries no dashboard token");
  const posted = await browser.post(page, consent);
  assert.equal(posted.status, 303, "a signed-in visitor's verify form needs no dashboard token");
  await t.close();
});
