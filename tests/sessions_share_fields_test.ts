/**
 * docs/api.md#share-fields over HTTP: every share-field and redirect-URL rule answers its own 400 code, and a
 * valid contract is stored normalised with the default `kayle_document_id` entry.
 */
import assert from "node:assert/strict";
import { assertError, createSessionViaApi, postJson, sessionsWorld } from "./support/sessions.ts";

const reason = "Needed for the check";

const cases: Array<{ name: string; body: unknown; code: string; config?: { devMode: boolean } }> = [
  { name: "share_fields is an array", body: { share_fields: [] }, code: "INVALID_SHARE_FIELDS" },
  {
    name: "share_fields is a string",
    body: { share_fields: "date_of_birth" },
    code: "INVALID_SHARE_FIELDS",
  },
  {
    name: "entry is not an object",
    body: { share_fields: { date_of_birth: true } },
    code: "INVALID_SHARE_FIELDS",
  },
  {
    name: "required is not boolean",
    body: { share_fields: { date_of_birth: { required: "yes", reason } } },
    code: "INVALID_SHARE_FIELDS",
  },
  {
    name: "reason is not a string",
    body: { share_fields: { date_of_birth: { required: true, reason: 5 } } },
    code: "INVALID_SHARE_FIELDS",
  },
  {
    name: "unknown key",
    body: { share_fields: { favourite_colour: { required: true, reason } } },
    code: "UNKNOWN_CLAIM_KEY",
  },
  {
    name: "age gate below 12",
    body: { share_fields: { age_over_11: { required: true, reason } } },
    code: "INVALID_AGE_GATE_KEY",
  },
  {
    name: "age gate above 130",
    body: { share_fields: { age_over_131: { required: true, reason } } },
    code: "INVALID_AGE_GATE_KEY",
  },
  {
    name: "age gate not an integer",
    body: { share_fields: { age_over_abc: { required: true, reason } } },
    code: "INVALID_AGE_GATE_KEY",
  },
  {
    name: "two age gates",
    body: {
      share_fields: {
        age_over_18: { required: true, reason },
        age_over_21: { required: false, reason },
      },
    },
    code: "MULTIPLE_AGE_GATES_NOT_ALLOWED",
  },
  {
    name: "missing reason",
    body: { share_fields: { date_of_birth: { required: true } } },
    code: "REASON_REQUIRED",
  },
  {
    name: "whitespace reason",
    body: { share_fields: { date_of_birth: { required: true, reason: " \n\t " } } },
    code: "REASON_REQUIRED",
  },
  {
    name: "reason of 201 characters",
    body: { share_fields: { date_of_birth: { required: true, reason: "x".repeat(201) } } },
    code: "REASON_TOO_LONG",
  },
  {
    name: "33 entries",
    body: {
      share_fields: Object.fromEntries(
        Array.from({ length: 33 }, (_, i) => [`k${i}`, { required: true, reason }]),
      ),
    },
    code: "TOO_MANY_SHARE_FIELDS",
  },
  {
    name: "redirect over http",
    body: { redirect_url: "http://example.com/x" },
    code: "INVALID_REDIRECT_URL",
  },
  { name: "redirect relative", body: { redirect_url: "/done" }, code: "INVALID_REDIRECT_URL" },
  {
    name: "redirect with credentials",
    body: { redirect_url: "https://user:pw@example.com/x" },
    code: "INVALID_REDIRECT_URL",
  },
  {
    name: "redirect too long",
    body: { redirect_url: "https://example.com/" + "a".repeat(2030) },
    code: "INVALID_REDIRECT_URL",
  },
  {
    name: "http localhost outside development mode",
    body: { redirect_url: "http://localhost:3000/done" },
    code: "INVALID_REDIRECT_URL",
    config: { devMode: false },
  },
  {
    name: "javascript URL",
    body: { redirect_url: "javascript:alert(1)" },
    code: "INVALID_REDIRECT_URL",
  },
];

Deno.test("POST /v1/sessions answers every share-field and redirect rule with its 400 code", async (t) => {
  const world = await sessionsWorld();
  const production = await sessionsWorld({ config: { devMode: false } });
  try {
    for (const c of cases) {
      await t.step(`${c.name} → 400 ${c.code}`, async () => {
        const target = c.config?.devMode === false ? production : world;
        await assertError(await postJson(target, "/v1/sessions", c.body), 400, c.code);
      });
    }
  } finally {
    await world.close();
    await production.close();
  }
});

Deno.test("POST /v1/sessions stores normalised share fields in request order, default last", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world, {
      share_fields: {
        date_of_birth: { required: true, reason: "  Needed   to verify\n age " },
        age_over_18: { required: false, reason: "x".repeat(200) },
      },
      redirect_url: "http://127.0.0.1:3000/done",
    });
    assert.deepEqual(Object.keys(session.share_fields), [
      "date_of_birth",
      "age_over_18",
      "kayle_document_id",
    ]);
    assert.deepEqual(session.share_fields.date_of_birth, {
      required: true,
      reason: "Needed to verify age",
      source: "rc",
    });
    assert.deepEqual(session.share_fields.kayle_document_id, {
      required: true,
      reason: 'Sharing "Kayle Document ID"',
      source: "default",
    });
    assert.equal(session.redirect_url, "http://127.0.0.1:3000/done");
  } finally {
    await world.close();
  }
});

Deno.test("POST /v1/sessions: kayle_document_id requested as optional stays required (source rc)", async () => {
  const world = await sessionsWorld();
  try {
    const session = await createSessionViaApi(world, {
      share_fields: { kayle_document_id: { required: false, reason: "Our own reason" } },
    });
    assert.deepEqual(session.share_fields, {
      kayle_document_id: { required: true, reason: "Our own reason", source: "rc" },
    });
  } finally {
    await world.close();
  }
});

Deno.test("POST /v1/sessions: 32 entries pass the count rule (then fail on the unknown key)", async () => {
  const world = await sessionsWorld();
  try {
    const share_fields = Object.fromEntries(
      Array.from({ length: 32 }, (_, i) => [`k${i}`, { required: true, reason }]),
    );
    await assertError(
      await postJson(world, "/v1/sessions", { share_fields }),
      400,
      "UNKNOWN_CLAIM_KEY",
    );
  } finally {
    await world.close();
  }
});
