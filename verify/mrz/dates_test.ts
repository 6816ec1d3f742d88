import assert from "node:assert/strict";
import { formatIsoDate, inferBirthDate, inferExpiryDate, parseYymmdd } from "./dates.ts";

const iso = (date: ReturnType<typeof inferBirthDate>) => date ? formatIsoDate(date) : null;

Deno.test("birth dates are never in the future relative to the verification time", () => {
  const at = new Date("2026-03-10T00:00:00Z");
  assert.equal(iso(inferBirthDate("260310", at)), "2026-03-10");
  assert.equal(iso(inferBirthDate("260311", at)), "1926-03-11");
  assert.equal(iso(inferBirthDate("740812", at)), "1974-08-12");
  assert.equal(iso(inferBirthDate("050101", at)), "2005-01-01");
});

Deno.test("29 February is only a birth date in a leap year of the inferred century", () => {
  const at = new Date("2026-03-10T00:00:00Z");
  assert.equal(iso(inferBirthDate("040229", at)), "2004-02-29");
  assert.equal(iso(inferBirthDate("000229", at)), "2000-02-29");
  assert.equal(inferBirthDate("030229", at), null);
});

Deno.test("expiry dates fall within 50 years either side of the verification time", () => {
  const at = new Date("2026-03-10T00:00:00Z");
  assert.equal(iso(inferExpiryDate("120415", at)), "2012-04-15");
  assert.equal(iso(inferExpiryDate("350520", at)), "2035-05-20");
  assert.equal(iso(inferExpiryDate("760101", at)), "2076-01-01");
  assert.equal(iso(inferExpiryDate("770101", at)), "1977-01-01");
  assert.equal(iso(inferExpiryDate("950712", at)), "1995-07-12");
  assert.equal(iso(inferExpiryDate("050101", new Date("2095-01-01T00:00:00Z"))), "2105-01-01");
});

Deno.test("YYMMDD syntax rejects letters, month 13 and day 32", () => {
  assert.equal(parseYymmdd("74A812"), null);
  assert.equal(parseYymmdd("741312"), null);
  assert.equal(parseYymmdd("740132"), null);
  assert.equal(parseYymmdd("740100"), null);
  assert.deepEqual(parseYymmdd("740131"), { yy: 74, month: 1, day: 31 });
});
