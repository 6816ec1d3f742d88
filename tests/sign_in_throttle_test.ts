/**
 * Sign-in throttling: wrong passwords from one address answer 429 to that address only; the
 * account is slowed (a growing, capped delay, recorded through the injected sleep) but never
 * locked, so the owner signs in from another address.
 */
import assert from "node:assert/strict";
import { createTestApp, seedOrganization } from "./support/app.ts";
import { FakeBrowser } from "./support/browser_session.ts";
import { accountDelayMs, SIGN_IN_THROTTLE } from "../lib/accounts/sign_in_throttle.ts";

async function world() {
  const t = await createTestApp({ trustProxy: true });
  const seeded = await seedOrganization(t.deps);
  const delays: number[] = [];
  t.deps.services.signInSleep = (ms: number) => {
    delays.push(ms);
    return Promise.resolve();
  };
  const from = (address: string) => {
    const browser = new FakeBrowser(t);
    return {
      browser,
      signIn: (password: string, email = seeded.email) =>
        browser.post("/sign-in", { email, password }, { "x-forwarded-for": address }),
    };
  };
  return { t, ...seeded, delays, from };
}

Deno.test("sign-in: an attacker's wrong passwords get 429 at their address, the owner signs in elsewhere", async () => {
  const { t, password, delays, from } = await world();
  const attacker = from("203.0.113.9");
  for (let i = 0; i < SIGN_IN_THROTTLE.addressFailures; i++) {
    assert.equal((await attacker.signIn(`guess ${i}`)).status, 401);
  }
  const limited = await attacker.signIn("guess again");
  assert.equal(limited.status, 429);
  const retry = Number(limited.headers.get("retry-after"));
  assert.ok(retry > 0 && retry <= SIGN_IN_THROTTLE.windowMs / 1000, String(retry));
  assert.match(await limited.text(), /Too many sign-in attempts from your network/);
  assert.equal((await attacker.signIn(password)).status, 429, "even the right password, there");

  const owner = from("198.51.100.7");
  const before = delays.length;
  const signedIn = await owner.signIn(password);
  assert.equal(signedIn.status, 303, "the owner is not locked out");
  assert.deepEqual(delays.slice(before), [SIGN_IN_THROTTLE.accountMaxDelayMs], "only slowed");
  // A success clears the account's count: the next sign-in is not slowed.
  const again = await from("198.51.100.7").signIn(password);
  assert.equal(again.status, 303);
  assert.equal(delays.length, before + 1);
  await t.close();
});

Deno.test("sign-in: the account delay grows per failure from any address, capped, never a block", async () => {
  const { t, password, delays, from } = await world();
  for (let i = 0; i < 9; i++) {
    // A different address each time: no address reaches its limit.
    assert.equal((await from(`192.0.2.${i + 1}`).signIn("wrong")).status, 401);
  }
  const expected = [...Array(9).keys()].map(accountDelayMs).filter((ms) => ms > 0);
  assert.deepEqual(delays, expected);
  assert.deepEqual(delays, [500, 1000, 2000, 4000]);
  assert.equal(accountDelayMs(40), SIGN_IN_THROTTLE.accountMaxDelayMs);
  assert.equal((await from("192.0.2.200").signIn(password)).status, 303);
  await t.close();
});

Deno.test("sign-in: an address's failures lapse after the window", async () => {
  const { t, password, from } = await world();
  const attacker = from("203.0.113.10");
  for (let i = 0; i < SIGN_IN_THROTTLE.addressFailures; i++) await attacker.signIn("wrong");
  assert.equal((await attacker.signIn(password)).status, 429);
  t.clock.advance(SIGN_IN_THROTTLE.windowMs);
  assert.equal((await attacker.signIn(password)).status, 303);
  await t.close();
});

Deno.test("sign-in: a burst of parallel guesses from one address checks at most the limit", async () => {
  const { t, password, from } = await world();
  const attacker = from("203.0.113.50");
  // Sent at once: the password hash is slow, so every request is in flight at the same time.
  const guesses = Array.from({ length: 40 }, (_, i) => i === 39 ? password : `guess ${i}`);
  const statuses = await Promise.all(guesses.map(async (guess) => {
    const response = await attacker.signIn(guess);
    await response.body?.cancel();
    return response.status;
  }));
  const checked = statuses.filter((s) => s !== 429).length;
  assert.ok(checked <= SIGN_IN_THROTTLE.addressFailures, `${checked} passwords were checked`);
  assert.ok(checked >= 1, "some were checked");
  assert.equal(statuses.filter((s) => s === 429).length, 40 - checked);
  await t.close();
});

Deno.test("sign-in: right passwords do not use up the address's tries", async () => {
  const { t, password, from } = await world();
  for (let i = 0; i < SIGN_IN_THROTTLE.addressFailures + 3; i++) {
    const response = await from("198.51.100.20").signIn(password);
    assert.equal(response.status, 303, `sign-in ${i + 1}`);
  }
  for (let i = 0; i < SIGN_IN_THROTTLE.addressFailures; i++) {
    assert.equal((await from("198.51.100.20").signIn("wrong")).status, 401, `failure ${i + 1}`);
  }
  assert.equal((await from("198.51.100.20").signIn("wrong")).status, 429);
  await t.close();
});
