/**
 * The short handoff link (docs/mobile-protocol.md "Short link"): the handoff's `short_link` is
 * `<public URL>/h#<43 base64url>`, its QR code is version ≤ 6 (level M) for public URLs up to 60
 * characters; `POST /v1/verify/handoff/resolve` turns it back into the deep link (404
 * `HANDOFF_TOKEN_INVALID`, 410 `HANDOFF_TOKEN_EXPIRED`); `/h` is a page that names no product
 * unless `KAYLE_APP_NAME` is set; the app association files are served only when configured; the
 * reference phone follows a short link. Responses are checked against `/openapi.json`.
 */
import assert from "node:assert/strict";
import { consentAll, createSession, publicCall, setupHandoffApp } from "./support/handoff.ts";
import { checkedClient } from "./support/openapi.ts";
import { qrMatrix } from "../lib/qr/qr_svg.ts";
import { shortLinkOf, tokenFromShortForm } from "../lib/handoff/short_link.ts";
import { loadConfig, NO_APP } from "../lib/core/config.ts";
import { isShortLink, parsePhoneLink, resolvePhoneLink } from "../phone/links.ts";

/** QR version from its module count (17 + 4 × version). */
const versionOf = (text: string) => (qrMatrix(text).size - 17) / 4;

Deno.test("short link: format, QR version ≤ 6, round trip of the token", () => {
  const token = "0123456789abcdef".repeat(4);
  const local = shortLinkOf("http://127.0.0.1:8787", token);
  assert.match(local, /^http:\/\/127\.0\.0\.1:8787\/h#[A-Za-z0-9_-]{43}$/);
  assert.equal(tokenFromShortForm(local.split("#")[1]), token);
  assert.equal(tokenFromShortForm(token), token, "the hex form is accepted too");
  assert.equal(tokenFromShortForm("not a token"), null);
  assert.ok(versionOf(local) <= 6, `version ${versionOf(local)}`);
  const sixty = "https://identity-verification.customer-example.com/kayleid"; // 58 chars
  const long = shortLinkOf(sixty.padEnd(60, "x"), token);
  assert.ok(versionOf(long) <= 6, `a 60-character public URL gives version ${versionOf(long)}`);
  // The old QR content (the full kayleid:// link) needed a much larger code.
  const old = `kayleid://verify?v=1&session_id=vs_${"a".repeat(64)}&token=${token}&mobile_url=${
    encodeURIComponent(`wss://kayle.example.com/v1/verify/session/vs_${"a".repeat(64)}/mobile`)
  }`;
  assert.ok(versionOf(old) > 6);
  assert.ok(isShortLink(local) && !isShortLink(old));
});

Deno.test("short link: the handoff carries it; resolve answers the deep link, 404 and 410", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    await consentAll(t, id);
    const handoff = (await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`)).body.data;
    assert.match(handoff.short_link, /^http:\/\/127\.0\.0\.1:8787\/h#[A-Za-z0-9_-]{43}$/);
    assert.ok(versionOf(handoff.short_link) <= 6);
    const request = checkedClient(t.app);
    const resolve = async (token: unknown) => {
      const response = await request("/v1/verify/handoff/resolve", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      });
      return { status: response.status, body: await response.json(), headers: response.headers };
    };
    const fragment = handoff.short_link.split("#")[1];
    const ok = await resolve(fragment);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("cache-control"), "no-store");
    assert.equal(ok.body.data.deep_link, handoff.deep_link);
    assert.equal(ok.body.data.deep_link_https, handoff.deep_link_https);
    assert.equal(ok.body.data.session_id, id);
    assert.equal(ok.body.data.mobile_write_token, handoff.mobile_write_token);
    assert.equal((await resolve(handoff.mobile_write_token)).status, 200);

    const unknown = await resolve("A".repeat(43));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "HANDOFF_TOKEN_INVALID");
    assert.equal((await resolve("garbage")).body.error.code, "HANDOFF_TOKEN_INVALID");
    assert.equal((await resolve(42)).status, 400);

    t.clock.advance(5 * 60_000 + 1);
    const expired = await resolve(fragment);
    assert.equal(expired.status, 410);
    assert.equal(expired.body.error.code, "HANDOFF_TOKEN_EXPIRED");
  } finally {
    await t.close();
  }
});

Deno.test("short link: the reference phone follows it to the deep link", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    await consentAll(t, id);
    const handoff = (await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`)).body.data;
    const viaApp = ((input: string | URL | Request, init?: RequestInit) =>
      t.app.request(String(input), init)) as typeof fetch;
    assert.deepEqual(
      await resolvePhoneLink(handoff.short_link, viaApp),
      parsePhoneLink(handoff.deep_link),
    );
    await assert.rejects(
      resolvePhoneLink(`http://127.0.0.1:8787/h#${"B".repeat(43)}`, viaApp),
      /HANDOFF_TOKEN_INVALID/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("short link page: names no product by default; the configured app and stores", async () => {
  const t = await setupHandoffApp();
  try {
    const html = async () => {
      const response = await t.app.request("/h", { headers: { accept: "text/html" } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("cache-control"), "no-store");
      return await response.text();
    };
    const plain = await html();
    assert.ok(plain.includes('data-island="ShortLinkLanding"'));
    assert.doesNotMatch(plain, /Kayle ID app|App Store|Google Play/);
    assert.match(plain, /identity verification app/);
    assert.ok(!plain.includes(">Sign in<"), "no dashboard header on the end user's page");
    assert.equal((await t.app.request("/.well-known/apple-app-site-association")).status, 404);
    assert.equal((await t.app.request("/.well-known/assetlinks.json")).status, 404);

    t.deps.config.app = loadConfig({
      KAYLE_APP_NAME: "Acme Passport",
      KAYLE_APP_IOS_URL: "https://apps.apple.com/app/id123456",
      KAYLE_APP_ANDROID_URL: "https://play.google.com/store/apps/details?id=com.acme.passport",
      KAYLE_APP_IOS_APP_ID: "ABCDE12345.com.acme.passport",
      KAYLE_APP_ANDROID_PACKAGE: "com.acme.passport",
      KAYLE_APP_ANDROID_CERT_SHA256: Array(32).fill("AB").join(":"),
    }).app;
    const named = await html();
    assert.match(named, /Acme Passport/);
    assert.ok(named.includes("https://apps.apple.com/app/id123456"));
    assert.ok(named.includes("https://play.google.com/store/apps/details?id=com.acme.passport"));
  } finally {
    await t.close();
  }
});

Deno.test("app association files claim /h for the configured apps only", async () => {
  const { appleAssociation, androidAssetLinks } = await import(
    "../lib/handoff/app_association.ts"
  );
  assert.equal(appleAssociation(NO_APP), null);
  assert.equal(androidAssetLinks(NO_APP), null);
  const app = loadConfig({
    KAYLE_APP_IOS_APP_ID: "ABCDE12345.com.acme.passport",
    KAYLE_APP_ANDROID_PACKAGE: "com.acme.passport",
    KAYLE_APP_ANDROID_CERT_SHA256: Array(32).fill("0F").join(":"),
  }).app;
  assert.deepEqual(appleAssociation(app), {
    applinks: {
      details: [{ appIDs: ["ABCDE12345.com.acme.passport"], components: [{ "/": "/h" }] }],
    },
  });
  assert.deepEqual(androidAssetLinks(app), [{
    relation: ["delegate_permission/common.handle_all_urls"],
    target: {
      namespace: "android_app",
      package_name: "com.acme.passport",
      sha256_cert_fingerprints: [Array(32).fill("0F").join(":")],
    },
  }]);
  assert.throws(() => loadConfig({ KAYLE_APP_IOS_URL: "http://apps.example.com" }), /https/);
  assert.throws(() => loadConfig({ KAYLE_APP_IOS_APP_ID: "nope" }), /TEAMID/);
});
