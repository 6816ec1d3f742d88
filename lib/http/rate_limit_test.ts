import assert from "node:assert/strict";
import { ManualClock } from "../core/clock.ts";
import { clientAddress, createKvRateLimiter, createMemoryRateLimiter } from "./rate_limit.ts";

Deno.test("memory limiter allows the limit per window then refuses with the time left", async () => {
  const clock = new ManualClock("2026-06-01T00:00:10Z");
  const limiter = createMemoryRateLimiter(clock);
  for (let i = 0; i < 3; i++) assert.ok((await limiter.hit("b", "id", 3, 60_000)).allowed);
  const refused = await limiter.hit("b", "id", 3, 60_000);
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterSeconds, 50);
  assert.ok((await limiter.hit("b", "other", 3, 60_000)).allowed);
  clock.advance(50_000);
  assert.ok((await limiter.hit("b", "id", 3, 60_000)).allowed);
});

Deno.test("KV limiter counts exactly under 30 concurrent hits", async () => {
  const kv = await Deno.openKv(":memory:");
  const limiter = createKvRateLimiter(kv, new ManualClock("2026-06-01T00:00:00Z"));
  const decisions = await Promise.all(
    Array.from({ length: 30 }, () => limiter.hit("sign_in", "1.2.3.4", 10, 60_000)),
  );
  assert.equal(decisions.filter((d) => d.allowed).length, 10);
  kv.close();
});

Deno.test("the forwarded address counts only behind a trusted proxy, and only the proxy's entry", () => {
  // The client sent its own header ("198.51.100.7"); the proxy appended the address it saw.
  const headers = new Headers({ "x-forwarded-for": "198.51.100.7, 203.0.113.9" });
  assert.equal(clientAddress(headers, "10.0.0.1", true), "203.0.113.9");
  assert.equal(clientAddress(headers, "10.0.0.1", false), "10.0.0.1");
  const single = new Headers({ "x-forwarded-for": "203.0.113.9" });
  assert.equal(clientAddress(single, "10.0.0.1", true), "203.0.113.9");
  assert.equal(
    clientAddress(new Headers({ "x-forwarded-for": " , " }), "10.0.0.1", true),
    "10.0.0.1",
  );
});
