/**
 * List filters and limits (docs/api.md, "Lists and pagination"): `limit` is a decimal integer
 * 1–100 and nothing else, a filter naming an object this key cannot read answers 404, an
 * oversized id anywhere answers 404, and stored URLs come back in their WHATWG-serialized form.
 */
import assert from "node:assert/strict";
import { assertError, postJson, sessionsWorld } from "./support/sessions.ts";
import { newId } from "../lib/core/ids.ts";

const LISTS = [
  "/v1/sessions",
  "/v1/sessions/attempts",
  "/v1/webhooks/endpoints",
  "/v1/webhooks/events",
  "/v1/webhooks/deliveries",
];

Deno.test("limit is a decimal integer from 1 to 100 on every list", async () => {
  const world = await sessionsWorld();
  try {
    for (const list of LISTS) {
      for (
        const bad of ["1e1", "0x10", "+5", " 5", "5 ", "5.0", "05", "0", "101", "-1", "", "ten"]
      ) {
        const error = await assertError(
          await world.request(`${list}?limit=${encodeURIComponent(bad)}`, { headers: world.auth }),
          400,
          "BAD_REQUEST",
        );
        assert.match(error.message, /limit/, `${list} limit=${JSON.stringify(bad)}`);
      }
      for (const good of ["1", "10", "99", "100"]) {
        const response = await world.request(`${list}?limit=${good}`, { headers: world.auth });
        assert.equal(response.status, 200, `${list} limit=${good}`);
        assert.equal((await response.json()).pagination.limit, Number(good));
      }
      const byDefault = await world.request(list, { headers: world.auth });
      assert.equal((await byDefault.json()).pagination.limit, 10);
    }
  } finally {
    await world.close();
  }
});

Deno.test("a filter naming an object this key cannot read answers 404 naming the field", async () => {
  const world = await sessionsWorld();
  try {
    const huge = "x".repeat(3000);
    const cases: Array<[string, string]> = [
      [`/v1/sessions/attempts?session_id=${newId("vs")}`, "session_id"],
      [`/v1/sessions/attempts?session_id=vs_short`, "session_id"],
      [`/v1/sessions/attempts?session_id=${huge}`, "session_id"],
      [`/v1/webhooks/events?session_id=${newId("vs")}`, "session_id"],
      [`/v1/webhooks/deliveries?endpoint_id=${newId("whe")}`, "endpoint_id"],
      [`/v1/webhooks/deliveries?endpoint_id=${huge}`, "endpoint_id"],
      [`/v1/webhooks/deliveries?event_id=${newId("evt")}`, "event_id"],
      [`/v1/webhooks/deliveries?event_id=${huge}`, "event_id"],
    ];
    for (const [path, field] of cases) {
      const error = await assertError(
        await world.request(path, { headers: world.auth }),
        404,
        "NOT_FOUND",
      );
      assert.match(error.message, new RegExp(field), path.slice(0, 80));
    }
    // Existing objects filter normally.
    const session = (await (await postJson(world, "/v1/sessions", {})).json()).data;
    const ok = await world.request(`/v1/sessions/attempts?session_id=${session.id}`, {
      headers: world.auth,
    });
    assert.equal(ok.status, 200);
  } finally {
    await world.close();
  }
});

Deno.test("an oversized id in a path answers 404, never 400 or 500", async () => {
  const world = await sessionsWorld();
  try {
    const huge = "vs_" + "a".repeat(3000);
    const paths: Array<[string, string]> = [
      ["GET", `/v1/sessions/${huge}`],
      ["POST", `/v1/sessions/${huge}/cancel`],
      ["GET", `/v1/webhooks/endpoints/${huge}`],
      ["GET", `/v1/webhooks/endpoints/${huge}/keys`],
      ["GET", `/v1/webhooks/events/${huge}`],
      ["POST", `/v1/webhooks/events/${huge}/replay`],
      ["GET", `/v1/webhooks/deliveries/${huge}`],
      ["POST", `/v1/webhooks/deliveries/${huge}/retry`],
      ["POST", `/v1/webhooks/keys/${huge}/deactivate`],
      ["GET", `/v1/verify/session/${huge}/details`],
      ["GET", `/v1/verify/session/${huge}/status`],
    ];
    for (const [method, path] of paths) {
      const response = await world.request(path, {
        method,
        headers: { ...world.auth, "content-type": "application/json" },
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      await assertError(response, 404, "NOT_FOUND");
    }
  } finally {
    await world.close();
  }
});

Deno.test("redirect_url and webhook endpoint urls are stored in their WHATWG-serialized form", async () => {
  const world = await sessionsWorld();
  try {
    const session = (await (await postJson(world, "/v1/sessions", {
      redirect_url: "HTTPS://Shop.Example.COM:443/a/../back?x=ä y",
    })).json()).data;
    const expected = new URL("HTTPS://Shop.Example.COM:443/a/../back?x=ä y").href;
    assert.equal(expected, "https://shop.example.com/back?x=%C3%A4%20y");
    assert.equal(session.redirect_url, expected);
    const read = await world.request(`/v1/sessions/${session.id}`, { headers: world.auth });
    assert.equal((await read.json()).data.redirect_url, expected);

    const created = await postJson(world, "/v1/webhooks/endpoints", {
      name: "hooks",
      url: "https://Hooks.Example.com/in/./x",
    });
    const endpoint = (await created.json()).data.endpoint;
    assert.equal(endpoint.url, "https://hooks.example.com/in/x");
    const patched = await world.request(`/v1/webhooks/endpoints/${endpoint.id}`, {
      method: "PATCH",
      headers: { ...world.auth, "content-type": "application/json" },
      body: JSON.stringify({ url: "https://HOOKS.example.com" }),
    });
    assert.equal((await patched.json()).data.url, "https://hooks.example.com/");
  } finally {
    await world.close();
  }
});
