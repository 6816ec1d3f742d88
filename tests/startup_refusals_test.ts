/**
 * Configuration that would lose data stops the start with exit code 2 and a message (no stack):
 * another or a missing server key on a database that holds data, a KV file missing next to its
 * journal, a corrupted KV file, a damaged key file. Real `main.ts` processes on temp data dirs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../lib/core/config.ts";
import { createPlatform } from "../lib/platform.ts";
import { silentLogger } from "../lib/core/logger.ts";
import { createUser } from "../lib/accounts/users.ts";
import {
  FINGERPRINT_KEY,
  type KeyFingerprint,
  StartupRefused,
} from "../lib/core/startup_checks.ts";
import { repositoryTaskRun } from "./support/deno_tasks.ts";

const main = new URL("../main.ts", import.meta.url).pathname;
const KEY_A = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
const KEY_B = btoa(String.fromCharCode(...new Uint8Array(32).fill(2)));

/**
 * Starts `main.ts` (with all permissions, or with the given `deno run` arguments from the repository
 * root); the refusals happen before the port is bound, so a busy port proves a pass.
 */
async function start(
  dir: string,
  env: Record<string, string> = {},
  runArgs = ["-A", "--unstable-kv", "--unstable-cron", main],
) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...runArgs],
    cwd: new URL("..", import.meta.url).pathname,
    env: { KAYLE_DATA_DIR: dir, KAYLE_LOG_LEVEL: "error", PORT: "0", ...env },
    stdout: "piped",
    stderr: "piped",
    // A start that is not refused would serve forever: stop it so the test fails, not hangs.
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

/** A data dir whose KV holds a user, written in-process with the given key env. */
async function populated(env: Record<string, string> = {}): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kayle-start-" });
  const deps = (await createPlatform(loadConfig({ KAYLE_DATA_DIR: dir, ...env }), {
    logger: silentLogger,
    usageFlushMs: 0,
  })).deps;
  await createUser(
    deps.kv,
    { email: "owner@example.test", passwordHash: "$argon2id$test" },
    deps.clock,
    deps.random,
  );
  await deps.usage.close();
  deps.kv.close();
  return dir;
}

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
  assert.doesNotMatch(stderr, /error: Uncaught/);
}

Deno.test("start: a changed KAYLE_SERVER_KEY is refused with exit 2 and how to recover", async () => {
  const dir = await populated({ KAYLE_SERVER_KEY: KEY_A });
  try {
    const changed = await start(dir, { KAYLE_SERVER_KEY: KEY_B });
    assert.equal(changed.code, 2, changed.stderr);
    assert.match(changed.stderr, /KAYLE_SERVER_KEY is not the server key the KV database/);
    assert.match(changed.stderr, /restore the original key/);
    assertNoStack(changed.stderr);
    assert.doesNotMatch(changed.stderr, new RegExp(KEY_A.slice(0, 12)), "never prints a key");
    // The admin command opens the same KV the same way: refused too, before touching anything.
    const admin = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-kv",
        "--unstable-cron",
        new URL("../scripts/admin.ts", import.meta.url).pathname,
        "list-orgs",
      ],
      env: { KAYLE_DATA_DIR: dir, KAYLE_SERVER_KEY: KEY_B },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const adminErr = new TextDecoder().decode(admin.stderr);
    assert.equal(admin.code, 2, adminErr);
    assert.match(adminErr, /KAYLE_SERVER_KEY is not the server key the KV database/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: a deleted or replaced server.key is refused; no new key is written", async () => {
  const dir = await populated();
  const keyPath = join(dir, "server.key");
  const original = await Deno.readTextFile(keyPath);
  try {
    await Deno.remove(keyPath);
    const missing = await start(dir);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /server key file .*server\.key is missing/);
    assert.match(missing.stderr, /restore .*server\.key from your backup/);
    assertNoStack(missing.stderr);
    await assert.rejects(() => Deno.lstat(keyPath), Deno.errors.NotFound, "no key generated");

    await Deno.writeTextFile(keyPath, KEY_B + "\n");
    const replaced = await start(dir);
    assert.equal(replaced.code, 2, replaced.stderr);
    assert.match(replaced.stderr, /server\.key is not the server key the KV database/);
    assertNoStack(replaced.stderr);

    await Deno.writeTextFile(keyPath, "not a key at all\n");
    const damaged = await start(dir);
    assert.equal(damaged.code, 2, damaged.stderr);
    assert.match(damaged.stderr, /does not hold a 32-byte base64 server key/);
    assertNoStack(damaged.stderr);

    // The original key passes every check: the start goes on until the (busy) port.
    await Deno.writeTextFile(keyPath, original);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const restored = await start(dir, { PORT: String((listener.addr as Deno.NetAddr).port) });
      assert.equal(restored.code, 2);
      assert.match(restored.stderr, /already in use/, "got past the key checks");
    } finally {
      listener.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: a KV file missing next to its -wal/-shm is refused, nothing created", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kayle-start-" });
  const kvPath = join(dir, "kayle.kv3");
  try {
    await Deno.writeFile(`${kvPath}-wal`, new Uint8Array(64));
    await Deno.writeFile(`${kvPath}-shm`, new Uint8Array(64));
    const orphaned = await start(dir);
    assert.equal(orphaned.code, 2, orphaned.stderr);
    assert.match(orphaned.stderr, /kayle\.kv3 is missing, but its journal/);
    assert.match(orphaned.stderr, /restore the database file from your backup/);
    assertNoStack(orphaned.stderr);
    await assert.rejects(() => Deno.lstat(kvPath), Deno.errors.NotFound, "no empty database");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: a corrupted KV file gives a clear message, not a stack trace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kayle-start-" });
  try {
    await Deno.writeFile(join(dir, "kayle.kv3"), crypto.getRandomValues(new Uint8Array(8192)));
    const corrupted = await start(dir, { KAYLE_SERVER_KEY: KEY_A });
    assert.equal(corrupted.code, 2, corrupted.stderr);
    assert.match(corrupted.stderr, /kayle\.kv3 cannot be read/);
    assert.match(corrupted.stderr, /corrupted, or not a Deno KV file/);
    assertNoStack(corrupted.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: a KV file with damaged pages is refused by the integrity check, not a panic", async () => {
  const dir = await populated({ KAYLE_SERVER_KEY: KEY_A });
  const kvPath = join(dir, "kayle.kv3");
  try {
    const kv = await Deno.openKv(kvPath);
    for (let i = 0; i < 500; i++) await kv.set(["filler", i], "x".repeat(1000));
    kv.close();
    for (const suffix of ["-wal", "-shm"]) await Deno.remove(kvPath + suffix).catch(() => {});
    const size = (await Deno.stat(kvPath)).size;
    assert.ok(size > 5 * 4096, `a multi-page database (${size} bytes)`);
    const file = await Deno.open(kvPath, { write: true });
    await file.seek(3 * 4096, Deno.SeekMode.Start);
    await file.write(new Uint8Array(size - 4 * 4096).map((_, i) => (i * 31 + 7) & 255));
    file.close();
    const damaged = await start(dir, { KAYLE_SERVER_KEY: KEY_A });
    assert.equal(damaged.code, 2, damaged.stderr);
    assert.match(damaged.stderr, /kayle\.kv3 cannot be read \(integrity check: /);
    assert.match(damaged.stderr, /restore the database file/);
    assertNoStack(damaged.stderr);
    assert.doesNotMatch(damaged.stderr, /panicked/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fingerprint: recorded on first start, adopted by an older database, never the key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kayle-start-" });
  const config = loadConfig({ KAYLE_DATA_DIR: dir, KAYLE_SERVER_KEY: KEY_A });
  const open = (c = config) =>
    createPlatform(c, { logger: silentLogger, usageFlushMs: 0 }).then((p) => p.deps);
  try {
    const first = await open();
    const stored = (await first.kv.get<KeyFingerprint>(FINGERPRINT_KEY)).value;
    assert.match(stored?.fingerprint ?? "", /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(stored).includes(KEY_A));
    // An older version's database: data, no fingerprint. It adopts the current key.
    await first.kv.delete(FINGERPRINT_KEY);
    await first.usage.close();
    first.kv.close();
    const legacy = await open();
    assert.deepEqual(
      (await legacy.kv.get<KeyFingerprint>(FINGERPRINT_KEY)).value?.fingerprint,
      stored?.fingerprint,
    );
    await legacy.usage.close();
    legacy.kv.close();
    await assert.rejects(
      () => open(loadConfig({ KAYLE_DATA_DIR: dir, KAYLE_SERVER_KEY: KEY_B })),
      StartupRefused,
    );
    const again = await open();
    await again.usage.close();
    again.kv.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("start: a data dir outside what deno task start may write is refused with how to fix it", async () => {
  // The start task's own `deno run` (its --allow-write=data,static/build), from the repo root.
  const task = await repositoryTaskRun("start");
  const dir = await Deno.makeTempDir({ prefix: "kayle-start-" });
  try {
    const { code, stderr } = await start(join(dir, "data"), task.env, task.args);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /may not write .*kayle-start-.*\/data/);
    assert.match(stderr, /KAYLE_DATA_DIR .* under data\//);
    assertNoStack(stderr);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
