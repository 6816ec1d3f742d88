import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";
import { loadServerKey } from "./server_key.ts";

Deno.test("defaults give a local development start", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8787);
  assert.equal(config.publicUrl, "http://127.0.0.1:8787");
  assert.equal(config.kvPath, "./data/kayle.kv3");
  assert.equal(config.devMode, true);
  assert.equal(config.jobBackend, "kv_table");
});

Deno.test("an https public URL is not development mode unless said so", () => {
  assert.equal(loadConfig({ KAYLE_PUBLIC_URL: "https://id.example.com/" }).devMode, false);
  assert.equal(
    loadConfig({ KAYLE_PUBLIC_URL: "https://id.example.com", KAYLE_DEV_MODE: "true" }).devMode,
    true,
  );
  assert.equal(
    loadConfig({ KAYLE_PUBLIC_URL: "https://id.example.com/" }).publicUrl,
    "https://id.example.com",
  );
});

Deno.test("a remote KV selects the job table backend and refuses queues", () => {
  assert.equal(loadConfig({ KAYLE_KV_PATH: "https://kv.example.com" }).jobBackend, "kv_table");
  assert.throws(
    () => loadConfig({ KAYLE_KV_PATH: "https://kv.example.com", KAYLE_JOB_BACKEND: "kv_queue" }),
    /remote KV has no queues/,
  );
});

Deno.test("a remote face verifier: https, or http to loopback; a token needs its URL", () => {
  assert.equal(loadConfig({}).faceVerifier, null);
  assert.deepEqual(
    loadConfig({
      KAYLE_FACE_VERIFIER_URL: "https://face.example.com/v1",
      KAYLE_FACE_VERIFIER_TOKEN: "t0k",
    }).faceVerifier,
    { url: "https://face.example.com/v1", token: "t0k", timeoutMs: 15_000 },
  );
  assert.deepEqual(
    loadConfig({
      KAYLE_FACE_VERIFIER_URL: "http://127.0.0.1:9000",
      KAYLE_FACE_VERIFIER_TIMEOUT_MS: "5000",
    }).faceVerifier,
    { url: "http://127.0.0.1:9000", token: null, timeoutMs: 5000 },
  );
  assert.throws(
    () => loadConfig({ KAYLE_FACE_VERIFIER_URL: "http://face.internal:9000" }),
    /KAYLE_FACE_VERIFIER_URL must use https/,
  );
  assert.throws(
    () => loadConfig({ KAYLE_FACE_VERIFIER_URL: "http://localhost.evil.com" }),
    /KAYLE_FACE_VERIFIER_URL must use https/,
  );
  assert.throws(
    () => loadConfig({ KAYLE_FACE_VERIFIER_TOKEN: "t0k" }),
    /KAYLE_FACE_VERIFIER_TOKEN is set without KAYLE_FACE_VERIFIER_URL/,
  );
  assert.throws(
    () =>
      loadConfig({
        KAYLE_FACE_VERIFIER_URL: "https://face.example.com",
        KAYLE_FACE_VERIFIER_TIMEOUT_MS: "10",
      }),
    /KAYLE_FACE_VERIFIER_TIMEOUT_MS must be at least 1000/,
  );
});

Deno.test("every problem is reported at once with the variable name", () => {
  try {
    loadConfig({ PORT: "eighty", KAYLE_LOG_LEVEL: "loud", KAYLE_DEV_MODE: "maybe" });
    assert.fail("expected ConfigError");
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 3);
    assert.match(error.message, /PORT/);
    assert.match(error.message, /KAYLE_LOG_LEVEL must be debug, info, warn or error/);
    assert.match(error.message, /KAYLE_DEV_MODE must be true or false/);
  }
  assert.throws(() => loadConfig({ KAYLE_SERVER_KEY: "short" }), /32 bytes in base64/);
});

Deno.test("instances starting together on an empty folder all get the one server key", async () => {
  const dir = await Deno.makeTempDir();
  const config = loadConfig({ KAYLE_DATA_DIR: dir });
  const loaded = await Promise.all(Array.from({ length: 8 }, () => loadServerKey(config)));
  assert.equal(loaded.filter((l) => l.generated).length, 1, "one of them made it");
  for (const l of loaded) assert.deepEqual(l.key, loaded[0].key);
  const left = [...Deno.readDirSync(dir)].map((e) => e.name);
  assert.deepEqual(left, ["server.key"], "no draft left behind");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the server key is generated once into the data folder with mode 0600", async () => {
  const dir = await Deno.makeTempDir();
  const config = loadConfig({ KAYLE_DATA_DIR: dir });
  const first = await loadServerKey(config);
  assert.equal(first.generated, true);
  assert.equal(first.key.length, 32);
  assert.equal((await Deno.stat(`${dir}/server.key`)).mode! & 0o777, 0o600);
  const second = await loadServerKey(config);
  assert.equal(second.generated, false);
  assert.deepEqual(second.key, first.key);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("every problem is listed at once, also those that read two variables", () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
  };
  assert.deepEqual(
    problemsOf({
      PORT: "abc",
      KAYLE_PUBLIC_URL: "ftp://x.example",
      KAYLE_SERVER_KEY: "short",
      KAYLE_FACE_VERIFIER_URL: "http://10.0.0.5:9000",
    }),
    [
      "PORT: PORT must be a number",
      "KAYLE_PUBLIC_URL must use http or https",
      "KAYLE_SERVER_KEY must be 32 bytes in base64 (openssl rand -base64 32)",
      "KAYLE_FACE_VERIFIER_URL must use https (plain http only to 127.0.0.1, localhost or [::1])",
    ],
  );
  assert.deepEqual(problemsOf({ PORT: "70000" }), ["PORT: PORT must be 0 to 65535"]);
  assert.deepEqual(problemsOf({ PORT: "8787.5" }), ["PORT: PORT must be a whole number"]);
  assert.deepEqual(problemsOf({ KAYLE_PUBLIC_URL: "not a url" }), [
    "KAYLE_PUBLIC_URL: KAYLE_PUBLIC_URL must be an absolute http(s) URL",
  ], "one message for one variable");
});
