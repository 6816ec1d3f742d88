import assert from "node:assert/strict";
import { errorFields, scrubErrorMessage } from "./error_fields.ts";
import { createLogger } from "./logger.ts";
import { JobHandlers } from "../jobs/handlers.ts";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "../../tests/support/app.ts";
import { createApp } from "../app.ts";
import { manifest } from "../../manifest.gen.ts";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  // Strict: a field the logger would refuse (an MRZ-shaped value, say) throws.
  const logger = createLogger({
    level: "debug",
    strict: true,
    sink: (line) => void lines.push(JSON.parse(line)),
  });
  return { logger, lines };
}

Deno.test("messages lose personal data and secrets, keep ids and words", () => {
  const cases: Array<[string, RegExp, RegExp]> = [
    ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<< is bad", /ERIKSSON|ANNA/, /<mrz> is bad/],
    ["L898902C36UTO7408122F1204159ZE184226B<<<<<10", /L898902C3|7408122/, /<mrz>/],
    ["no user anna.maria@example.org here", /anna|example\.org/, /no user <email> here/],
    ["born 1974-08-12 or 12.08.1974", /1974|08/, /born <date> or <date>/],
    ["card 4111111111111111 and 123456", /4111|123456/, /card <redacted> and <digits>/],
    ["key kk_test_abcdefghijklmnopqrstuvwxyz012345 refused", /kk_test_abc/, /key <redacted>/],
    ["token dGhpcyBpcyBhIHNlY3JldCB0b2tlbg== leaked", /dGhpcy/, /token <redacted> leaked/],
    [`Unexpected token 'A', "Anna Maria" is not valid JSON`, /Anna/, /"<redacted>"/],
    ["GET https://r.example/cb?name=Anna&x=1 failed", /Anna|x=1/, /cb\?<query> failed/],
  ];
  for (const [message, gone, kept] of cases) {
    const scrubbed = scrubErrorMessage(message);
    assert.doesNotMatch(scrubbed, gone, `${message} → ${scrubbed}`);
    assert.match(scrubbed, kept, `${message} → ${scrubbed}`);
  }
  const id = `vs_${"a1".repeat(32)}`;
  assert.equal(
    scrubErrorMessage(`database is locked for ${id} (reading 'status')`),
    `database is locked for ${id} (reading 'status')`,
  );
  assert.ok(scrubErrorMessage("x ".repeat(400)).length <= 300);
});

Deno.test("error fields name the class, the scrubbed message and the project line", () => {
  const { logger, lines } = capture();
  let error: unknown;
  try {
    JSON.parse(`{"family_name": "ERIKSSON", "mrz": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<"`);
  } catch (e) {
    error = e;
  }
  const line = new Error().stack!.split("\n")[1].match(/:(\d+):\d+\)?$/)![1];
  logger.error("x", errorFields(error));
  const logged = lines[0];
  assert.equal(logged.error_class, "SyntaxError");
  assert.doesNotMatch(JSON.stringify(logged), /ERIKSSON|ANNA/);
  assert.equal(logged.error_at, `lib/core/error_fields_test.ts:${Number(line) - 4}`);
  const caused = errorFields(new Error("outer", { cause: new RangeError("inner") }));
  assert.equal(caused.error_cause_class, "RangeError");
  assert.equal(errorFields("a string").error_class, "string");
});

Deno.test("a failing job is logged with where it failed", async () => {
  const { logger, lines } = capture();
  const handlers = new JobHandlers(logger);
  handlers.register("test.boom", () => {
    const value = undefined as unknown as { status: string };
    return Promise.resolve(value.status).then(() => {});
  });
  await assert.rejects(handlers.run({}, { jobId: "job_1", type: "test.boom" }), TypeError);
  const logged = lines.find((l) => l.event === "job.failed")!;
  assert.equal(logged.error_class, "TypeError");
  assert.match(String(logged.error_message), /reading 'status'/);
  assert.match(String(logged.error_at), /^lib\/core\/error_fields_test\.ts:\d+$/);
});

Deno.test("an unexpected request error is logged with the request id, class and location", async () => {
  const t = await createTestApp();
  const { logger, lines } = capture();
  const { org } = await seedOrganization(t.deps);
  const { secret } = await seedApiKey(t.deps, org.id);
  // The KV fails under the handler (a closed handle): an error nobody planned for.
  const closed = await Deno.openKv(":memory:");
  closed.close();
  const app = createApp({ ...t.deps, logger }, manifest);
  const atomic = t.deps.kv.atomic;
  t.deps.kv.atomic = () => closed.atomic();
  try {
    const response = await app.request("/v1/sessions", {
      method: "POST",
      headers: { ...bearer(secret), "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 500);
    assert.equal((await response.json()).error.code, "INTERNAL_ERROR");
    const logged = lines.find((l) => l.event === "request.failed")!;
    assert.equal(logged.request_id, response.headers.get("x-request-id"));
    assert.equal(logged.error_class, "BadResource");
    assert.match(String(logged.error_at), /^lib\/sessions\/sessions\.ts:\d+$/);
    assert.match(String(logged.error_origin), /^ext:deno_kv\//);
    assert.equal(logged.path, "/v1/sessions");
  } finally {
    t.deps.kv.atomic = atomic;
    await t.close();
  }
});
