/**
 * Password sign-in throttling, following OWASP's authentication guidance (login throttling
 * without a lockout that an attacker can turn against the owner) — docs/passkeys.md, "Sign-in
 * throttling":
 *
 * - per client address: {@link SIGN_IN_THROTTLE}.addressFailures wrong passwords within the
 *   window answer 429 with Retry-After, to that address only;
 * - per account: never blocked, but slowed: past `accountFreeFailures` recent failures, each
 *   attempt on the account waits a delay that doubles per failure, capped at `accountMaxDelayMs`
 *   (the real owner still signs in, a little later); a success clears the account's count;
 * - passkey sign-in is not counted here and is never slowed or refused by password failures.
 *
 * Counters live in KV (`["sign_in_failures", "address" | "account", id]`) so every instance
 * sees the same; the account id is a keyed hash of the normalised email (never the email). The
 * wait goes through `deps.services.signInSleep` when set (tests record it instead of waiting).
 */
import type { AppDeps } from "../deps.ts";
import { normaliseEmail } from "./users.ts";
import { accountKeys } from "./kv_keys.ts";

/** The limits. */
export const SIGN_IN_THROTTLE = {
  addressFailures: 10,
  windowMs: 15 * 60_000,
  accountFreeFailures: 5,
  accountBaseDelayMs: 500,
  accountMaxDelayMs: 8_000,
} as const;

interface FailureCount {
  count: number;
  /** Address: the window's start. Account: the last failure (the count lapses a window later). */
  at: number;
}

/** How a sign-in attempt may proceed. */
export type ThrottleDecision =
  | { allowed: true; delayMs: number }
  | { allowed: false; retryAfterSeconds: number };

const addressKey = (address: string) => accountKeys.signInFailures("address", address);

async function accountKey(deps: Pick<AppDeps, "keys">, email: string): Promise<Deno.KvKey> {
  return accountKeys.signInFailures(
    "account",
    await deps.keys.hash(normaliseEmail(email), "rate-limit"),
  );
}

/** The delay of an attempt on an account that failed `failures` times recently. */
export function accountDelayMs(failures: number): number {
  const extra = failures - SIGN_IN_THROTTLE.accountFreeFailures;
  if (extra < 0) return 0;
  return Math.min(
    SIGN_IN_THROTTLE.accountBaseDelayMs * 2 ** extra,
    SIGN_IN_THROTTLE.accountMaxDelayMs,
  );
}

/** Decides whether a password attempt from `address` on `email` may proceed, and its delay. */
export async function checkSignIn(
  deps: AppDeps,
  address: string,
  email: string,
): Promise<ThrottleDecision> {
  const now = deps.clock.now().getTime();
  const [byAddress, byAccount] = await deps.kv.getMany<[FailureCount, FailureCount]>([
    addressKey(address),
    await accountKey(deps, email),
  ]);
  const a = live(byAddress.value, now);
  if (a && a.count >= SIGN_IN_THROTTLE.addressFailures) {
    const msLeft = a.at + SIGN_IN_THROTTLE.windowMs - now;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
  }
  return { allowed: true, delayMs: accountDelayMs(live(byAccount.value, now)?.count ?? 0) };
}

/** Waits an account delay (injected in tests through `deps.services.signInSleep`). */
export async function waitSignInDelay(deps: AppDeps, delayMs: number): Promise<void> {
  if (delayMs <= 0) return;
  const sleep = deps.services.signInSleep;
  await (sleep ? sleep(delayMs) : new Promise((resolve) => setTimeout(resolve, delayMs)));
}

/** Counts a wrong password for the address and the account. */
export async function recordSignInFailure(
  deps: AppDeps,
  address: string,
  email: string,
): Promise<void> {
  const now = deps.clock.now().getTime();
  await bump(deps.kv, addressKey(address), now, "window");
  await bump(deps.kv, await accountKey(deps, email), now, "last");
}

/** A successful password sign-in clears the account's count (not the address's). */
export async function recordSignInSuccess(deps: AppDeps, email: string): Promise<void> {
  await deps.kv.delete(await accountKey(deps, email));
}

// A count still inside its window, counted from `at` (the window's start, or the last failure).
function live(value: FailureCount | null, now: number): FailureCount | null {
  return value && now - value.at < SIGN_IN_THROTTLE.windowMs ? value : null;
}

async function bump(kv: Deno.Kv, key: Deno.KvKey, now: number, kind: "window" | "last") {
  for (let tries = 0; tries < 20; tries++) {
    const entry = await kv.get<FailureCount>(key);
    const current = live(entry.value, now);
    const next: FailureCount = {
      count: (current?.count ?? 0) + 1,
      at: kind === "window" && current ? current.at : now,
    };
    const committed = await kv.atomic().check(entry).set(key, next, {
      expireIn: SIGN_IN_THROTTLE.windowMs * 2,
    }).commit();
    if (committed.ok) return;
  }
}
