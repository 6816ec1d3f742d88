/**
 * What `deno task start` installs is what the server runs (docs/self-hosting.md, "What gets
 * installed"): `deno.lock` pins exactly the npm packages of `deno.json`'s import map and
 * `package.json`, and the test tools (imported by `npm:` specifier from the tests) are pinned in
 * `tests/deno.lock` only, which `deno task test` uses. Deno installs every package a lockfile
 * names, so a test tool in `deno.lock` would be installed by every `deno task start`.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

interface Lockfile {
  specifiers: Record<string, string>;
  npm: Record<string, { integrity: string }>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, root))) as T;
}

/** `npm:/hono@4.13.19/` and `npm:hono@4.13.19` both name `npm:hono@4.13.19`. */
function packageSpecifier(target: string): string {
  return "npm:" + target.slice("npm:".length).replace(/^\//, "").replace(/\/$/, "");
}

/** The npm packages the server declares: the import map's and package.json's. */
async function declaredPackages(): Promise<string[]> {
  const config = await readJson<{ imports: Record<string, string> }>("deno.json");
  const fromMap = Object.values(config.imports).filter((t) => t.startsWith("npm:"));
  const pkg = await readJson<{ dependencies: Record<string, string> }>("package.json");
  const fromPackageJson = Object.entries(pkg.dependencies).map(([name, version]) =>
    version.startsWith("npm:") ? version : `npm:${name}@${version}`
  );
  return [...new Set([...fromMap, ...fromPackageJson].map(packageSpecifier))].sort();
}

Deno.test("deno.lock pins the declared packages and nothing that only the tests import", async () => {
  const lock = await readJson<Lockfile>("deno.lock");
  assert.deepEqual(
    Object.keys(lock.specifiers).sort(),
    await declaredPackages(),
    "deno.lock names a package that deno.json and package.json do not declare: a test run " +
      "without --lock=tests/deno.lock wrote it. Restore deno.lock (git checkout deno.lock) and " +
      "run tests with `deno task test <files>`.",
  );
});

Deno.test("the test tools are pinned in tests/deno.lock and not in deno.lock", async () => {
  const lock = await readJson<Lockfile>("deno.lock");
  const testLock = await readJson<Lockfile>("tests/deno.lock");
  const tools = [
    "fast-check",
    "playwright-core",
    "axe-core",
    "ajv",
    "ajv-formats",
    "@redocly/openapi-core",
    "@seriousme/openapi-schema-validator",
  ];
  const named = (l: Lockfile, name: string) =>
    Object.keys(l.npm).some((key) => key.startsWith(`${name}@`));
  assert.deepEqual(tools.filter((name) => named(lock, name)), []);
  assert.deepEqual(tools.filter((name) => !named(testLock, name)), []);
  // The TensorFlow.js umbrella (~300 MB with its backends) stays out: face-api gets tfjs-core.
  assert.equal(named(lock, "@tensorflow/tfjs"), false);
});

Deno.test("tests/deno.lock pins the server's packages at the same versions as deno.lock", async () => {
  const lock = await readJson<Lockfile>("deno.lock");
  const testLock = await readJson<Lockfile>("tests/deno.lock");
  const differing = Object.entries(lock.npm)
    .filter(([key, entry]) => testLock.npm[key]?.integrity !== entry.integrity)
    .map(([key]) => key);
  assert.deepEqual(
    differing,
    [],
    "copy deno.lock over tests/deno.lock and run `deno task test` to add the test tools again",
  );
});
