import assert from "node:assert/strict";
import { fromBase64Url, ID_LENGTHS, isId, newId, randomAlphanumeric, toBase64Url } from "./ids.ts";
import { seededRandom } from "./random.ts";

Deno.test("newId has the documented prefix and random length", () => {
  for (const prefix of ["vs", "va", "evt", "whe", "whk", "whd", "wha"] as const) {
    const id = newId(prefix);
    assert.match(id, new RegExp(`^${prefix}_[a-z0-9]{${ID_LENGTHS[prefix]}}$`));
    assert.ok(isId(prefix, id));
  }
  assert.equal(ID_LENGTHS.vs, 64);
  assert.equal(ID_LENGTHS.whe, 32);
});

Deno.test("rejection sampling keeps every character equally likely", () => {
  // Bytes >= 252 must be skipped: a source of only 255s followed by zeros yields 'a's.
  let calls = 0;
  const source = {
    bytes(n: number) {
      calls++;
      return new Uint8Array(n).fill(calls === 1 ? 255 : 0);
    },
  };
  assert.equal(randomAlphanumeric(5, source), "aaaaa");
  const counts = new Map<string, number>();
  const text = randomAlphanumeric(36_000, seededRandom(42));
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  assert.equal(counts.size, 36);
  for (const n of counts.values()) assert.ok(n > 800 && n < 1200, `skewed count ${n}`);
});

Deno.test("isId refuses other shapes", () => {
  assert.equal(isId("vs", "vs_" + "A".repeat(64)), false);
  assert.equal(isId("vs", "vs_" + "a".repeat(63)), false);
  assert.equal(isId("vs", "va_" + "a".repeat(64)), false);
});

Deno.test("base64url round-trips", () => {
  const bytes = new Uint8Array([0, 250, 251, 252, 253, 254, 255, 62, 63]);
  assert.deepEqual(fromBase64Url(toBase64Url(bytes)), bytes);
  assert.doesNotMatch(toBase64Url(bytes), /[+/=]/);
});
