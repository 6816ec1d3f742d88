import assert from "node:assert/strict";
import { GET_MANY_LIMIT, getManyEntries, getManyValues } from "./kv.ts";

Deno.test("getManyEntries reads past the getMany limit, in order, missing keys as null", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const count = GET_MANY_LIMIT * 2 + 3;
    const keys = Array.from({ length: count }, (_, i) => ["item", i]);
    const op = kv.atomic();
    for (let i = 0; i < count; i++) if (i % 4 !== 1) op.set(keys[i], `v${i}`);
    assert.ok((await op.commit()).ok);
    // More keys than one call allows: KV itself refuses them.
    await assert.rejects(kv.getMany(keys));

    const entries = await getManyEntries<string>(kv, keys);
    assert.equal(entries.length, count);
    entries.forEach((entry, i) => {
      assert.deepEqual(entry.key, keys[i]);
      assert.equal(entry.value, i % 4 === 1 ? null : `v${i}`);
      assert.equal(entry.versionstamp === null, i % 4 === 1);
    });
    const values = await getManyValues<string>(kv, [...keys].reverse());
    const expected = keys.map((_, i) => i).filter((i) => i % 4 !== 1).reverse().map((i) => `v${i}`);
    assert.deepEqual(values, expected);
    assert.deepEqual(await getManyEntries(kv, []), []);
  } finally {
    kv.close();
  }
});
