/**
 * The files that let a phone open the short handoff link (`/h#…`) straight in the configured
 * app instead of the browser (docs/verify-pages.md "The phone app"): Apple's
 * `/.well-known/apple-app-site-association` (universal links) and Android's
 * `/.well-known/assetlinks.json` (app links), both claiming `/h` only. Served only when
 * `KAYLE_APP_IOS_APP_ID` / `KAYLE_APP_ANDROID_PACKAGE` and `KAYLE_APP_ANDROID_CERT_SHA256` are set;
 * otherwise 404, and `/h` opens in the browser and explains what the user needs.
 */
import type { Hono } from "hono";
import type { AppLinks } from "../core/config.ts";
import { SHORT_LINK_PATH } from "./short_link.ts";

/** The apple-app-site-association document, or null when no iOS app is configured. */
export function appleAssociation(app: AppLinks): Record<string, unknown> | null {
  if (!app.iosAppId) return null;
  return {
    applinks: {
      details: [{ appIDs: [app.iosAppId], components: [{ "/": SHORT_LINK_PATH }] }],
    },
  };
}

/** The assetlinks.json statements, or null when no Android app is configured. */
export function androidAssetLinks(app: AppLinks): unknown[] | null {
  if (!app.androidPackage || app.androidCertSha256.length === 0) return null;
  return [{
    relation: ["delegate_permission/common.handle_all_urls"],
    target: {
      namespace: "android_app",
      package_name: app.androidPackage,
      sha256_cert_fingerprints: app.androidCertSha256,
    },
  }];
}

/** Registers both files on the app. */
// deno-lint-ignore no-explicit-any
export function registerAppAssociation(app: Hono<any>, links: AppLinks): void {
  const serve =
    (body: unknown) =>
    (c: { json: (b: unknown, s: 200) => Response; notFound: () => Response | Promise<Response> }) =>
      body === null ? c.notFound() : c.json(body, 200);
  app.get("/.well-known/apple-app-site-association", (c) => serve(appleAssociation(links))(c));
  app.get("/.well-known/assetlinks.json", (c) => serve(androidAssetLinks(links))(c));
}
