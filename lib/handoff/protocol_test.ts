import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  artifactName,
  dataGroupNumber,
  decodeBase64,
  encodeBase64,
  LIMITS,
  MOBILE_ERROR_CODES,
  parsePhoneMessage,
} from "./protocol.ts";

Deno.test("parsePhoneMessage: a hello and the artifact messages", () => {
  const hello = parsePhoneMessage(JSON.stringify({
    v: 1,
    type: "hello",
    session_id: "vs_x",
    token: "t",
    device_id: "d",
    app_version: "1.0",
  }));
  assert.deepEqual(hello, {
    ok: true,
    message: { type: "hello", session_id: "vs_x", token: "t", device_id: "d", app_version: "1.0" },
  });
  const begin = parsePhoneMessage(
    JSON.stringify({
      v: 1,
      type: "artifact_begin",
      artifact: "dg14",
      size: 2_000_000,
      sha256: "a".repeat(64),
    }),
  );
  assert.ok(begin.ok && begin.message.type === "artifact_begin" && begin.message.index === 0);
  const result = parsePhoneMessage(JSON.stringify({ v: 1, type: "result" }));
  assert.deepEqual(result, { ok: true, message: { type: "result", consent_confirmed: true } });
});

Deno.test("parsePhoneMessage: each kind of bad frame has its code", () => {
  const code = (text: string) => {
    const parsed = parsePhoneMessage(text);
    return parsed.ok ? null : parsed.error.code;
  };
  assert.equal(code("x".repeat(LIMITS.maxFrameBytes + 1)), "FRAME_TOO_LARGE");
  assert.equal(code("é".repeat(LIMITS.maxFrameBytes / 2 + 1)), "FRAME_TOO_LARGE");
  assert.equal(code("{"), "MALFORMED_MESSAGE");
  assert.equal(code("[1]"), "MALFORMED_MESSAGE");
  assert.equal(code(`{"type":"ping"}`), "PROTOCOL_VERSION_UNSUPPORTED");
  assert.equal(code(`{"v":1}`), "MALFORMED_MESSAGE");
  assert.equal(code(`{"v":1,"type":"fly"}`), "UNKNOWN_MESSAGE_TYPE");
  assert.equal(code(`{"v":1,"type":"artifact_end","artifact":"dg3"}`), "UNKNOWN_ARTIFACT_KIND");
  assert.equal(
    code(`{"v":1,"type":"artifact_begin","artifact":"dg1","size":1,"sha256":"AB"}`),
    "MALFORMED_MESSAGE",
  );
  assert.equal(
    code(`{"v":1,"type":"artifact_chunk","artifact":"dg1","seq":-1,"data":"AA=="}`),
    "MALFORMED_MESSAGE",
  );
  assert.equal(code(`{"v":1,"type":"hello","session_id":"s","token":"t"}`), "MALFORMED_MESSAGE");
  assert.equal(code(`{"v":1,"type":"result","consent_confirmed":"yes"}`), "MALFORMED_MESSAGE");
});

Deno.test("parsePhoneMessage is total: any text gives a message or a known code (10,000 cases)", () => {
  const known = new Set<string>(MOBILE_ERROR_CODES);
  const messageLike = fc.record({
    v: fc.oneof(fc.constant(1), fc.integer()),
    type: fc.constantFrom(
      "hello",
      "artifact_begin",
      "artifact_chunk",
      "artifact_end",
      "result",
      "ping",
      "x",
    ),
    artifact: fc.oneof(fc.constantFrom("sod", "dg1", "selfie_frame"), fc.string()),
    index: fc.oneof(fc.nat(), fc.integer(), fc.string()),
    size: fc.oneof(fc.nat(), fc.double()),
    seq: fc.oneof(fc.nat(), fc.string()),
    data: fc.string(),
    sha256: fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.string()),
  }, { requiredKeys: [] }).map((m) => JSON.stringify(m));
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), messageLike), (text) => {
      const parsed = parsePhoneMessage(text);
      return parsed.ok || known.has(parsed.error.code);
    }),
    { numRuns: 10_000 },
  );
});

Deno.test("base64 round trip, names and data group numbers", () => {
  const bytes = new Uint8Array(100_000).map((_, i) => i * 7);
  assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
  assert.equal(decodeBase64("abc"), null);
  assert.equal(decodeBase64("ab!="), null);
  assert.equal(artifactName("selfie_frame", 3), "selfie_frame:3");
  assert.equal(artifactName("dg2", 0), "dg2");
  assert.equal(dataGroupNumber("dg14"), 14);
  assert.equal(dataGroupNumber("sod"), null);
});
