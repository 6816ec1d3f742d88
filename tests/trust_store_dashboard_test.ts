/**
 * The trust-store page over HTTP (docs/trust-store.md): the instance owner only; anchors by
 * country with validity and fingerprint, CRLs with their next update; a master list imported by
 * upload with its result; removal; the banner every organization sees while no CSCA is trusted.
 */
import assert from "node:assert/strict";
import { createTestApp, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import { instanceOwnerId, setInstanceOwner } from "../lib/accounts/instance_owner.ts";
import { completeSetup, issueSetupLink } from "../lib/accounts/setup.ts";
import { certificateFingerprint } from "../verify/asn1/mod.ts";
import { readVector } from "../verify/vectors_test_support.ts";
import { listTrustItems } from "../verify/trust/mod.ts";
import { accountKeys } from "../lib/accounts/kv_keys.ts";

const BANNER = /Live verifications cannot succeed yet/;

async function world() {
  const t = await createTestApp();
  const owner = await seedOrganization(t.deps);
  const other = await seedOrganization(t.deps);
  await setInstanceOwner(t.deps.kv, owner.ownerId);
  const signIn = async (who: { email: string; password: string }) => {
    const browser = new FakeBrowser(t);
    const res = await browser.post("/sign-in", { email: who.email, password: who.password });
    assert.equal(res.status, 303);
    return browser;
  };
  return {
    t,
    owner,
    other,
    signIn,
    ownerBrowser: await signIn(owner),
    otherBrowser: await signIn(other),
  };
}

/** Posts a multipart form like the page's upload, with the page's CSRF token. */
async function upload(
  browser: FakeBrowser,
  fields: Record<string, string | File>,
): Promise<Response> {
  const csrf = FakeBrowser.csrfOf(await (await browser.get("/trust-store")).text());
  const body = new FormData();
  body.set("_csrf", csrf);
  body.set("action", "import");
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  return await browser.send("/trust-store", {
    method: "POST",
    body,
    headers: { origin: "http://127.0.0.1:8787", "sec-fetch-site": "same-origin" },
  });
}

const file = (path: string) => new File([readVector(path) as BlobPart], path.split("/").pop()!);

Deno.test("trust store page: only the instance owner; others get 404, signed-out visitors sign in", async () => {
  const { t, ownerBrowser, otherBrowser } = await world();
  try {
    const page = await ownerBrowser.get("/trust-store");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /No CSCA is trusted/);
    assert.equal((await otherBrowser.get("/trust-store")).status, 404);
    const anonymous = await new FakeBrowser(t).get("/trust-store");
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get("location")!, /^\/sign-in\?next=%2Ftrust-store/);
    // A member of another organization cannot import either.
    const csrf = FakeBrowser.csrfOf(await (await otherBrowser.get("/account")).text());
    const refused = await otherBrowser.post("/trust-store", { _csrf: csrf, action: "remove" });
    assert.equal(refused.status, 404);
  } finally {
    await t.close();
  }
});

Deno.test({
  name:
    "trust store page: banner while empty; master-list upload with its result; anchors by country; removal",
  async fn() {
    const { t, owner, other, ownerBrowser, otherBrowser } = await world();
    try {
      const ownerOrg = await (await ownerBrowser.get(`/organizations/${owner.org.slug}`)).text();
      assert.match(ownerOrg, BANNER);
      assert.match(ownerOrg, /href="\/trust-store"/);
      const otherOrg = await (await otherBrowser.get(`/organizations/${other.org.slug}`)).text();
      assert.match(otherOrg, BANNER);
      assert.match(otherOrg, /Ask the instance owner/);
      // No file: a clear error. Without the root: refused with its reason.
      assert.equal((await upload(ownerBrowser, {})).status, 400);
      const noRoot = await (await upload(ownerBrowser, {
        file: file("masterlists/NL_ML_2026-07-22.ml"),
      })).text();
      assert.match(noRoot, /skipped 1/);
      const res = await upload(ownerBrowser, {
        file: file("masterlists/NL_ML_2026-07-22.ml"),
        root: file("masterlists/NL_ROOT_CA.der"),
      });
      assert.equal(res.status, 200);
      const html = await res.text();
      const stored = await listTrustItems(t.deps.kv, "csca");
      assert.ok(stored.length > 300);
      assert.match(html, new RegExp(`master_list: added ${stored.length}, already present 0`));
      assert.match(html, new RegExp(`Anchors \\(${stored.length}\\)`));
      assert.match(html, /<h3>NL \(\d+\)<\/h3>/);
      const root = await certificateFingerprint(readVector("masterlists/NL_ROOT_CA.der"));
      assert.ok(html.includes(root), "the pinned NL root is in the list, with its fingerprint");
      assert.match(html, /\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}/);
      // The banner is gone for every organization.
      const after = await (await otherBrowser.get(`/organizations/${other.org.slug}`)).text();
      assert.doesNotMatch(after, BANNER);
      // Removal.
      const csrf = FakeBrowser.csrfOf(html);
      const removed = await ownerBrowser.post("/trust-store", {
        _csrf: csrf,
        action: "remove",
        kind: "csca",
        fingerprint: root,
      });
      assert.equal(removed.status, 200);
      assert.match(await removed.text(), /Anchor [0-9a-f]{16}… removed/);
      assert.equal((await listTrustItems(t.deps.kv, "csca")).length, stored.length - 1);
      const again = await ownerBrowser.post("/trust-store", {
        _csrf: csrf,
        action: "remove",
        kind: "csca",
        fingerprint: root,
      });
      assert.equal(again.status, 404);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "trust store page: an expired master list is refused with its reason; a CRL is listed with its next update",
  async fn() {
    const { t, owner, signIn } = await world();
    try {
      // Signed in again after the clock moved (dashboard sessions expire too).
      t.clock.set("2029-01-01T00:00:00Z");
      const late = await signIn(owner);
      const expired = await (await upload(late, {
        file: file("masterlists/DE_ML_2026-05-28-08-28-45.ml"),
        root: file("masterlists/DE_ROOT_CA_CSCA07.der"),
      })).text();
      assert.match(expired, /master_list_expired/);
      assert.match(expired, /--allow-expired/);
      assert.equal((await listTrustItems(t.deps.kv, "csca")).length, 0);
      t.clock.set("2026-06-01T00:00:00Z");
      const ownerBrowser = await signIn(owner);
      const anchor = await (await upload(ownerBrowser, {
        file: file("gmrtd-real/UK/CSCA.der"),
        anchor: "on",
      })).text();
      assert.match(anchor, /der_certificate: added 1/);
      const crl = await (await upload(ownerBrowser, {
        file: file("csca-misc-zeropass/crl/crl_gb_fp_85824ab57b.crl"),
      })).text();
      assert.match(crl, /der_crl: added 1/);
      assert.match(crl, /Certificate revocation lists \(1\)/);
      assert.match(
        crl,
        /<td>GB<\/td><td>[^<]*Country Signing Authority[^<]*<\/td><td>\d{4}-\d{2}-\d{2}/,
      );
    } finally {
      await t.close();
    }
  },
});

Deno.test("instance owner: the first-run setup owner; an older instance falls back to its first user", async () => {
  const t = await createTestApp();
  try {
    const link = await issueSetupLink(t.deps);
    const token = new URL(link!).searchParams.get("token")!;
    const done = await completeSetup(t.deps, {
      token,
      email: "first@example.test",
      password: "long enough pass",
      orgName: "First",
      orgSlug: "first",
    });
    assert.equal(await instanceOwnerId(t.deps.kv), done!.user.id);
    await seedOrganization(t.deps); // a later user never becomes the instance owner
    assert.equal(await instanceOwnerId(t.deps.kv), done!.user.id);
  } finally {
    await t.close();
  }
  const older = await createTestApp();
  try {
    const first = await seedOrganization(older.deps);
    older.clock.advance(60_000);
    await seedOrganization(older.deps);
    assert.equal(await instanceOwnerId(older.deps.kv), first.ownerId);
    assert.equal(
      (await older.deps.kv.get(accountKeys.instanceOwner())).value,
      first.ownerId,
      "recorded",
    );
  } finally {
    await older.close();
  }
});
