import assert from "node:assert/strict";
import { runAdmin } from "./admin.ts";
import { createTestApp } from "../tests/support/app.ts";
import { findApiKeyBySecret } from "../lib/api_keys/api_keys.ts";

Deno.test("admin: create-org, create-key --json, list-orgs, and refusals", async () => {
  const t = await createTestApp();
  const created = await runAdmin(t.deps, [
    "create-org",
    "--name",
    "Acme",
    "--slug",
    "acme",
    "--owner-email",
    "o@example.test",
    "--owner-password",
    "a long password",
    "--json",
  ]);
  assert.equal(JSON.parse(created).slug, "acme");
  const key = JSON.parse(
    await runAdmin(t.deps, [
      "create-key",
      "--org",
      "acme",
      "--name",
      "ci",
      "--scopes",
      "sessions:write,analytics:read",
      "--mode",
      "live",
      "--json",
    ]),
  );
  assert.match(key.key, /^kk_live_[a-z0-9]{32}$/);
  assert.deepEqual((await findApiKeyBySecret(t.deps, key.key))?.scopes, [
    "sessions:write",
    "analytics:read",
  ]);
  const listed = JSON.parse(await runAdmin(t.deps, ["list-orgs", "--json"]));
  assert.deepEqual(listed.map((o: { slug: string }) => o.slug), ["acme"]);
  await assert.rejects(
    () =>
      runAdmin(t.deps, [
        "create-org",
        "--name",
        "Again",
        "--slug",
        "acme",
        "--owner-email",
        "o@example.test",
        "--owner-password",
        "a long password",
      ]),
    /taken/,
  );
  await assert.rejects(
    () =>
      runAdmin(t.deps, [
        "create-key",
        "--org",
        "acme",
        "--name",
        "x",
        "--scopes",
        "sessions:admin",
        "--mode",
        "live",
      ]),
    /unknown scopes/,
  );
  await assert.rejects(
    () =>
      runAdmin(t.deps, [
        "create-key",
        "--org",
        "nope",
        "--name",
        "x",
        "--scopes",
        "sessions:read",
        "--mode",
        "test",
      ]),
    /no organization/,
  );
  await assert.rejects(() => runAdmin(t.deps, ["frobnicate"]), TypeError);
  await t.close();
});

Deno.test("admin: the command line prints the key and exits 0, usage errors exit 2", async () => {
  const dir = await Deno.makeTempDir();
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-kv",
        new URL("./admin.ts", import.meta.url).pathname,
        ...args,
      ],
      env: { KAYLE_DATA_DIR: dir, KAYLE_LOG_LEVEL: "error" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  };
  assert.equal(
    (await run(
      "create-org",
      "--name",
      "Acme",
      "--slug",
      "acme",
      "--owner-email",
      "o@example.test",
      "--owner-password",
      "a long password",
    )).code,
    0,
  );
  const key = await run(
    "create-key",
    "--org",
    "acme",
    "--name",
    "ci",
    "--scopes",
    "sessions:write",
    "--mode",
    "test",
    "--json",
  );
  assert.equal(key.code, 0);
  assert.match(JSON.parse(key.stdout).key, /^kk_test_/);
  const usage = await run("nope");
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: deno task admin/);
  const refused = await run(
    "create-key",
    "--org",
    "ghost",
    "--name",
    "x",
    "--scopes",
    "sessions:read",
    "--mode",
    "test",
  );
  assert.equal(refused.code, 1);
  await Deno.remove(dir, { recursive: true });
});
