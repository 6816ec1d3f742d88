import assert from "node:assert/strict";
import { ArtifactStore } from "./uploads.ts";
import { encodeBase64, LIMITS } from "./protocol.ts";
import { toHex } from "../core/keys.ts";

async function sha256(bytes: Uint8Array): Promise<string> {
  return toHex(
    new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
  );
}

Deno.test("ArtifactStore: chunks in order, size and SHA-256 checked", async () => {
  const store = new ArtifactStore();
  const bytes = crypto.getRandomValues(new Uint8Array(1000));
  assert.equal(store.begin("dg1", 0, 1000, await sha256(bytes)), null);
  assert.equal(store.chunk("dg1", 0, 0, encodeBase64(bytes.subarray(0, 600))), null);
  assert.equal(store.chunk("dg1", 0, 2, encodeBase64(bytes.subarray(600)))?.code, "OUT_OF_ORDER");
  assert.equal(store.chunk("dg1", 0, 1, encodeBase64(bytes.subarray(600))), null);
  assert.deepEqual(await store.end("dg1", 0), { sha256: await sha256(bytes) });
  assert.deepEqual(store.get("dg1"), bytes);
  assert.deepEqual(store.names(), ["dg1"]);
});

Deno.test("ArtifactStore: every refusal has its code", async () => {
  const store = new ArtifactStore();
  const sha = "0".repeat(64);
  assert.equal(store.begin("dg2", 0, LIMITS.maxArtifactBytes + 1, sha)?.code, "ARTIFACT_TOO_LARGE");
  assert.equal(store.begin("selfie_frame", 0, LIMITS.maxSelfieFrameBytes, sha), null);
  assert.equal(store.begin("selfie_frame", 5, 10, sha)?.code, "TOO_MANY_SELFIE_FRAMES");
  assert.equal(store.begin("dg1", 1, 10, sha)?.code, "MALFORMED_MESSAGE");
  assert.equal(store.chunk("sod", 0, 0, "AAAA")?.code, "OUT_OF_ORDER");
  assert.equal((await store.end("sod", 0) as { code: string }).code, "OUT_OF_ORDER");
  store.begin("sod", 0, 2, sha);
  assert.equal(store.chunk("sod", 0, 0, "!!!!")?.code, "MALFORMED_MESSAGE");
  assert.equal(store.chunk("sod", 0, 0, "AAAA")?.code, "ARTIFACT_TOO_LARGE");
  store.begin("sod", 0, 3, sha);
  store.chunk("sod", 0, 0, "AAAA");
  assert.equal((await store.end("sod", 0) as { code: string }).code, "CHECKSUM_MISMATCH");
  store.begin("sod", 0, 4, sha);
  store.chunk("sod", 0, 0, "AAAA");
  assert.equal((await store.end("sod", 0) as { code: string }).code, "CHECKSUM_MISMATCH");
  assert.equal(store.get("sod"), undefined);
  store.clear();
  assert.deepEqual(store.names(), []);
});

Deno.test("ArtifactStore: selfie frames come back in index order", async () => {
  const store = new ArtifactStore();
  for (const index of [2, 0, 1]) {
    const frame = new Uint8Array([index, 9]);
    store.begin("selfie_frame", index, 2, await sha256(frame));
    store.chunk("selfie_frame", index, 0, encodeBase64(frame));
    await store.end("selfie_frame", index);
  }
  assert.deepEqual(store.selfieFrames().map((f) => f[0]), [0, 1, 2]);
});
