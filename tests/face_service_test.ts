/**
 * The face service (`lib/face_service/app.ts`, `deno task face-server`): the server side of the
 * remote verifier's contract. The repository's own client round-trips decisions and image bytes
 * through it over a real socket; a missing or wrong token, an oversized body and malformed
 * requests are refused with their codes (and the client fails closed on them), a verifier that
 * throws gives a coded 500; the script refuses to listen beyond loopback without a token, and
 * the `face-server` task's own `deno run` (its permissions, the model on its worker thread) answers
 * a real compare.
 */
import assert from "node:assert/strict";
import { createFaceServiceApp, FACE_SERVICE_MAX_BODY_BYTES } from "../lib/face_service/app.ts";
import { faceServerSettings } from "../scripts/face_server.ts";
import { createRemoteBiometricVerifier } from "../verify/biometric/remote_verifier.ts";
import type {
  BiometricVerifier,
  CheckLivenessInput,
  CompareFacesInput,
} from "../verify/biometric/mod.ts";
import { silentLogger } from "../lib/core/logger.ts";
import { repositoryTaskRun } from "./support/deno_tasks.ts";
import {
  loadOtherPersonSelfie,
  loadTestPortraitJpeg,
  loadTestSelfie,
} from "../verify/biometric/fixtures.ts";

const TOKEN = "face-token-0123456789abcdef";

/** A verifier that records what it was asked and answers a fixed decision. */
function recordingVerifier() {
  const seen: { compare: CompareFacesInput[]; liveness: CheckLivenessInput[] } = {
    compare: [],
    liveness: [],
  };
  const verifier: BiometricVerifier = {
    compareFaces(input) {
      seen.compare.push(input);
      return Promise.resolve({ decision: "no_match", reason: "face_mismatch" });
    },
    checkLiveness(input) {
      seen.liveness.push(input);
      return Promise.resolve({ passed: true, reason: "liveness_passed" });
    },
  };
  return { verifier, seen };
}

async function withService(
  verifier: BiometricVerifier,
  run: (url: string) => Promise<void>,
): Promise<void> {
  const app = createFaceServiceApp({ verifier, token: TOKEN, logger: silentLogger });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  try {
    await run(`http://127.0.0.1:${(server.addr as Deno.NetAddr).port}`);
  } finally {
    await server.shutdown();
  }
}

const portrait = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 250]);
const selfie = new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 9, 8, 7]);

Deno.test("the remote client round-trips decisions and image bytes through the face service", async () => {
  const { verifier, seen } = recordingVerifier();
  await withService(verifier, async (url) => {
    const client = createRemoteBiometricVerifier({
      url,
      timeoutMs: 5000,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.deepEqual(await client.compareFaces({ portrait, selfie, subjectAgeYears: 34 }), {
      decision: "no_match",
      reason: "face_mismatch",
    });
    assert.deepEqual(seen.compare[0].portrait, portrait);
    assert.deepEqual(seen.compare[0].selfie, selfie);
    assert.equal(seen.compare[0].subjectAgeYears, 34);
    const challenge = { poses: ["centre", "left", "right"] as const, nonce: "n0nce-abcdef" };
    assert.deepEqual(
      await client.checkLiveness({
        portrait,
        frames: [selfie, selfie, selfie],
        challenge: { poses: [...challenge.poses], nonce: challenge.nonce },
      }),
      { passed: true, reason: "liveness_passed" },
    );
    assert.deepEqual(seen.liveness[0].challenge, {
      poses: [...challenge.poses],
      nonce: "n0nce-abcdef",
    });
    assert.equal(seen.liveness[0].frames.length, 3);
    assert.equal(seen.liveness[0].subjectAgeYears, undefined);
  });
});

Deno.test("no token or a wrong one is refused with 401, and the client fails closed", async () => {
  const { verifier, seen } = recordingVerifier();
  await withService(verifier, async (url) => {
    for (const headers of [undefined, { authorization: "Bearer wrong-token-0123456789ab" }]) {
      const client = createRemoteBiometricVerifier({ url, timeoutMs: 5000, headers });
      assert.deepEqual(await client.compareFaces({ portrait, selfie }), {
        decision: "inconclusive",
        reason: "verifier_unavailable",
      });
    }
    const raw = await fetch(`${url}/compare`, { method: "POST", body: "{}" });
    assert.equal(raw.status, 401);
    assert.equal((await raw.json()).error.code, "UNAUTHORIZED");
    assert.equal(seen.compare.length, 0);
  });
});

Deno.test("malformed requests get 400 with the field; an oversized body 413", async () => {
  const { verifier, seen } = recordingVerifier();
  await withService(verifier, async (url) => {
    const post = (path: string, body: string) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body,
      });
    const b64 = (u: Uint8Array) => u.toBase64();
    const cases: Array<[string, string, string]> = [
      ["/compare", "not json", "body"],
      ["/compare", JSON.stringify({ v: 2, portrait: b64(portrait), selfie: b64(selfie) }), "v"],
      ["/compare", JSON.stringify({ v: 1, portrait: "***", selfie: b64(selfie) }), "portrait"],
      ["/liveness", JSON.stringify({ v: 1, portrait: b64(portrait), frames: [] }), "frames"],
      [
        "/liveness",
        JSON.stringify({
          v: 1,
          portrait: b64(portrait),
          frames: [b64(selfie)],
          challenge: { poses: ["sideways"], nonce: "x" },
        }),
        "challenge.poses.0",
      ],
    ];
    for (const [path, body, field] of cases) {
      const res = await post(path, body);
      assert.equal(res.status, 400, `${path} ${body.slice(0, 40)}`);
      const answer = await res.json();
      assert.equal(answer.error.code, "INVALID_REQUEST");
      assert.match(answer.error.message, new RegExp(`Invalid ${field.replaceAll(".", "\\.")}:`));
    }
    const huge = await post(
      "/compare",
      JSON.stringify({ v: 1, portrait: "A".repeat(FACE_SERVICE_MAX_BODY_BYTES), selfie: "AAAA" }),
    );
    assert.equal(huge.status, 413);
    assert.equal((await huge.json()).error.code, "PAYLOAD_TOO_LARGE");
    const missing = await post("/elsewhere", "{}");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    assert.equal(seen.compare.length + seen.liveness.length, 0);
  });
});

Deno.test("face-server settings: no token beyond loopback, no short token, a real port", () => {
  assert.deepEqual(faceServerSettings({}), {
    ok: true,
    port: 8790,
    hostname: "127.0.0.1",
    token: null,
  });
  const open = faceServerSettings({ FACE_SERVER_HOSTNAME: "0.0.0.0" });
  assert.equal(open.ok, false);
  assert.match(!open.ok ? open.problems[0] : "", /set KAYLE_FACE_SERVICE_TOKEN/);
  assert.deepEqual(
    faceServerSettings({ FACE_SERVER_HOSTNAME: "0.0.0.0", KAYLE_FACE_SERVICE_TOKEN: TOKEN }),
    {
      ok: true,
      port: 8790,
      hostname: "0.0.0.0",
      token: TOKEN,
    },
  );
  const short = faceServerSettings({ KAYLE_FACE_SERVICE_TOKEN: "abc", FACE_SERVER_PORT: "99999" });
  assert.equal(short.ok, false);
  assert.equal(!short.ok && short.problems.length, 2);
});

Deno.test("a verifier that throws gives 500 VERIFIER_FAILED, and the client fails closed", async () => {
  const throwing: BiometricVerifier = {
    compareFaces: () => Promise.reject(new RangeError("model state broken")),
    checkLiveness: () => Promise.reject(new RangeError("model state broken")),
  };
  await withService(throwing, async (url) => {
    const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const raw = await fetch(`${url}/compare`, {
      method: "POST",
      headers,
      body: JSON.stringify({ v: 1, portrait: portrait.toBase64(), selfie: selfie.toBase64() }),
    });
    assert.equal(raw.status, 500);
    assert.deepEqual((await raw.json()).error.code, "VERIFIER_FAILED");
    const client = createRemoteBiometricVerifier({ url, timeoutMs: 5000, headers });
    assert.deepEqual(await client.compareFaces({ portrait, selfie }), {
      decision: "inconclusive",
      reason: "verifier_unavailable",
    });
  });
});

Deno.test("the face-server task's deno run answers a real compare with its own permissions", async () => {
  // The task's `deno run` without its `deno install` step: run inside the suite, that install would
  // prune the test tools from `node_modules` (`tests/deno.lock` adds them).
  const task = await repositoryTaskRun("face-server");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...task.args],
    cwd: new URL("..", import.meta.url).pathname,
    env: { ...task.env, FACE_SERVER_PORT: "0", KAYLE_FACE_SERVICE_TOKEN: TOKEN },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    // It listens once the model has loaded on its worker thread; the log line gives the port.
    let port = 0;
    let buffer = "";
    while (!port) {
      const { value, done } = await lines.read();
      if (done) throw new Error("face-server exited before listening");
      buffer += value;
      port = Number(/"event":"face_service.listening".*?"port":(\d+)/.exec(buffer)?.[1] ?? 0);
    }
    const url = `http://127.0.0.1:${port}`;
    const refused = await fetch(`${url}/compare`, { method: "POST", body: "{}" });
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    const client = createRemoteBiometricVerifier({
      url,
      timeoutMs: 30_000,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const holder = await loadTestPortraitJpeg();
    assert.deepEqual(
      await client.compareFaces({ portrait: holder, selfie: await loadTestSelfie() }),
      { decision: "match", reason: "face_match" },
    );
    assert.deepEqual(
      await client.compareFaces({ portrait: holder, selfie: await loadOtherPersonSelfie() }),
      { decision: "no_match", reason: "face_mismatch" },
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await lines.cancel().catch(() => {});
  }
});
