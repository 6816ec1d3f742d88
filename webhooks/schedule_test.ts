import assert from "node:assert/strict";
import { seededRandom } from "../lib/core/random.ts";
import { MAX_SCHEDULED_TRIES, nextTryDelayMs, RETRY_SCHEDULE_MS, uniform } from "./schedule.ts";

Deno.test("the schedule has 8 tries with waits of 0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h", () => {
  assert.equal(MAX_SCHEDULED_TRIES, 8);
  assert.deepEqual(RETRY_SCHEDULE_MS.map((ms) => ms / 1000), [
    0,
    5,
    300,
    1800,
    7200,
    18000,
    36000,
    36000,
  ]);
  assert.equal(nextTryDelayMs(8, seededRandom(1)), null);
});

Deno.test("jitter stays within ±10 % and uses the whole range", () => {
  const random = seededRandom(7);
  for (let tries = 1; tries < 8; tries++) {
    const base = RETRY_SCHEDULE_MS[tries];
    const seen = Array.from({ length: 2000 }, () => nextTryDelayMs(tries, random)! / base);
    assert.ok(Math.min(...seen) >= 0.9 && Math.max(...seen) <= 1.1);
    assert.ok(Math.min(...seen) < 0.91 && Math.max(...seen) > 1.09, "spread across the range");
  }
  const u = Array.from({ length: 1000 }, () => uniform(random));
  assert.ok(u.every((x) => x >= 0 && x < 1));
});
