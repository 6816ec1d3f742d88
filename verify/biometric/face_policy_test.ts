import assert from "node:assert/strict";
import {
  ADULT_THRESHOLDS,
  CHILD_AGE_LIMIT_YEARS,
  CHILD_THRESHOLDS,
  embeddingDistance,
  judgeDistance,
  thresholdsForAge,
} from "./face_policy.ts";

Deno.test("distances map to match, an inconclusive band, then no_match", () => {
  const t = ADULT_THRESHOLDS;
  assert.equal(judgeDistance(0, t), "match");
  assert.equal(judgeDistance(t.matchAtMost, t), "match");
  assert.equal(judgeDistance(t.matchAtMost + 0.001, t), "inconclusive");
  assert.equal(judgeDistance(t.noMatchAtLeast - 0.001, t), "inconclusive");
  assert.equal(judgeDistance(t.noMatchAtLeast, t), "no_match");
  assert.equal(judgeDistance(2, t), "no_match");
});

Deno.test("a missing or broken distance fails closed", () => {
  assert.equal(judgeDistance(NaN, ADULT_THRESHOLDS), "inconclusive");
  assert.equal(judgeDistance(Infinity, ADULT_THRESHOLDS), "inconclusive");
});

Deno.test("children are matched more leniently; unknown or invalid ages count as adults", () => {
  assert.ok(CHILD_THRESHOLDS.matchAtMost > ADULT_THRESHOLDS.matchAtMost);
  assert.ok(CHILD_THRESHOLDS.noMatchAtLeast > ADULT_THRESHOLDS.noMatchAtLeast);
  assert.equal(thresholdsForAge(8), CHILD_THRESHOLDS);
  assert.equal(thresholdsForAge(CHILD_AGE_LIMIT_YEARS - 1), CHILD_THRESHOLDS);
  assert.equal(thresholdsForAge(CHILD_AGE_LIMIT_YEARS), ADULT_THRESHOLDS);
  assert.equal(thresholdsForAge(undefined), ADULT_THRESHOLDS);
  assert.equal(thresholdsForAge(-3), ADULT_THRESHOLDS);
  assert.equal(thresholdsForAge(NaN), ADULT_THRESHOLDS);
  // A distance between the two bands: a match for a child, not for an adult.
  const between = (ADULT_THRESHOLDS.matchAtMost + CHILD_THRESHOLDS.matchAtMost) / 2;
  assert.equal(judgeDistance(between, thresholdsForAge(9)), "match");
  assert.notEqual(judgeDistance(between, thresholdsForAge(40)), "match");
});

Deno.test("embedding distance is Euclidean and refuses mismatched lengths", () => {
  assert.equal(embeddingDistance(Float32Array.of(0, 0), Float32Array.of(3, 4)), 5);
  assert.ok(Number.isNaN(embeddingDistance(Float32Array.of(1), Float32Array.of(1, 2))));
  assert.ok(Number.isNaN(embeddingDistance(new Float32Array(), new Float32Array())));
});
