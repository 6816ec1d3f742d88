import assert from "node:assert/strict";
import { isKvBusy, KvBusyError, retryWhenBusy, whileBusy } from "./kv_busy.ts";
import { bearer, createTestApp, seedApiKey, seedOrganization } from "../../tests/support/app.ts";

const locked = () => new TypeError("database is locked");

Deno.test("a busy operation is tried again; other errors pass through; the budget ends it", async () => {
  let calls = 0;
  assert.equal(
    await whileBusy(() => ++calls < 3 ? Promise.reject(locked()) : Promise.resolve(7)),
    7,
  );
  assert.equal(calls, 3);
  await assert.rejects(whileBusy(() => Promise.reject(new RangeError("no"))), RangeError);
  await assert.rejects(whileBusy(() => Promise.reject(locked()), 30), KvBusyError);
  assert.ok(isKvBusy(locked()) && !isKvBusy(new TypeError("other")));
});

Deno.test("two handles on one KV file: checked commits all land, none is applied twice", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kayle-busy-" });
  const handles = [
    retryWhenBusy(await Deno.openKv(`${dir}/kv`)),
    retryWhenBusy(await Deno.openKv(`${dir}/kv`)),
  ];
  try {
    const writers = handles.flatMap((kv, h) =>
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 40; i++) {
          const key = ["item", h, w, i];
          const ok = (await kv.atomic().check({ key, versionstamp: null }).set(key, 1)
            .sum(["count"], 1n).commit()).ok;
          assert.ok(ok);
          for await (const _ of kv.list({ prefix: ["item", h] }, { limit: 3 })) { /* read */ }
        }
      })
    );
    await Promise.all(writers);
    const count = (await handles[0].get<Deno.KvU64>(["count"])).value!.value;
    assert.equal(count, 640n);
    assert.equal((await Array.fromAsync(handles[1].list({ prefix: ["item"] }))).length, 640);
  } finally {
    for (const kv of handles) kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a KV still locked after the budget answers 503 SERVICE_UNAVAILABLE with Retry-After", async () => {
  const t = await createTestApp();
  const { org } = await seedOrganization(t.deps);
  const { secret } = await seedApiKey(t.deps, org.id);
  const atomic = t.deps.kv.atomic;
  t.deps.kv.atomic = () => {
    const op = atomic.call(t.deps.kv);
    op.commit = () => Promise.reject(new KvBusyError(locked()));
    return op;
  };
  try {
    const response = await t.app.request("/v1/sessions", {
      method: "POST",
      headers: { ...bearer(secret), "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("retry-after"), "1");
    assert.equal((await response.json()).error.code, "SERVICE_UNAVAILABLE");
  } finally {
    t.deps.kv.atomic = atomic;
    await t.close();
  }
});
