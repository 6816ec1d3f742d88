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
 * An attempt is counted as a wrong password when it starts ({@link claimSignInTry}), before the
 * slow password check, and a right password gives it back: parallel attempts all see each other.
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

/**
 * Claims a password attempt from `address` on `email` before the password is checked: the attempt
 * is counted as a failure at once (for the address and the account), so attempts made at the same
 * time all see each other — checking first and counting after the slow password hash let a burst of
 * 100 parallel guesses through a limit of 10. A success gives the claim back
 * ({@link recordSignInSuccess}). The address's count is never raised past its limit; a claim that
 * cannot be committed (the key contended for the whole retry budget) is refused, not let through.
 */
export async function claimSignInTry(
  deps: AppDeps,
  address: string,
  email: string,
): Promise<ThrottleDecision> {
  const now = deps.clock.now().getTime();
  const byAddress = await bump(deps.kv, addressKey(address), now, "window", {
    limit: SIGN_IN_THROTTLE.addressFailures,
  });
  if (!byAddress.counted) {
    const msLeft = byAddress.contended
      ? 1000
      : byAddress.windowStart + SIGN_IN_THROTTLE.windowMs - now;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
  }
  const byAccount = await bump(deps.kv, await accountKey(deps, email), now, "last");
  return { allowed: true, delayMs: accountDelayMs(byAccount.before) };
}

/** Waits an account delay (injected in tests through `deps.services.signInSleep`). */
export async function waitSignInDelay(deps: AppDeps, delayMs: number): Promise<void> {
  if (delayMs <= 0) return;
  const sleep = deps.services.signInSleep;
  await (sleep ? sleep(delayMs) : new Promise((resolve) => setTimeout(resolve, delayMs)));
}

/**
 * A successful password sign-in: its claim is given back to the address (a right password is not
 * a wrong one) and the account's count is cleared.
 */
export async function recordSignInSuccess(
  deps: AppDeps,
  address: string,
  email: string,
): Promise<void> {
  const now = deps.clock.now().getTime();
  const key = addressKey(address);
  for (let tries = 0; tries < CONTENDED_TRIES; tries++) {
    const entry = await deps.kv.get<FailureCount>(key);
    const current = live(entry.value, now);
    if (!current || current.count === 0) break;
    const given = await deps.kv.atomic().check(entry)
      .set(key, { ...current, count: current.count - 1 }, {
        expireIn: SIGN_IN_THROTTLE.windowMs * 2,
      })
      .commit();
    if (given.ok) break;
  }
  await deps.kv.delete(await accountKey(deps, email));
}

// A count still inside its window, counted from `at` (the window's start, or the last failure).
function live(value: FailureCount | null, now: number): FailureCount | null {
  return value && now - value.at < SIGN_IN_THROTTLE.windowMs ? value : null;
}

/** Commits of one counter under contention (each commit that loses reads the count again). */
const CONTENDED_TRIES = 200;

/**
 * Adds one to a counter, unless it already holds `limit`; returns the count before and whether
 * this one was counted.
 */
async function bump(
  kv: Deno.Kv,
  key: Deno.KvKey,
  now: number,
  kind: "window" | "last",
  options: { limit?: number } = {},
): Promise<{ counted: boolean; before: number; windowStart: number; contended?: true }> {
  for (let tries = 0; tries < CONTENDED_TRIES; tries++) {
    const entry = await kv.get<FailureCount>(key);
    const current = live(entry.value, now);
    const before = current?.count ?? 0;
    const windowStart = kind === "window" && current ? current.at : now;
    if (options.limit !== undefined && before >= options.limit) {
      return { counted: false, before, windowStart };
    }
    const committed = await kv.atomic().check(entry).set(key, {
      count: before + 1,
      at: windowStart,
    }, {
      expireIn: SIGN_IN_THROTTLE.windowMs * 2,
    }).commit();
    if (committed.ok) return { counted: true, before, windowStart };
  }
  // Never committed: as if the count were past any limit (refused, or the longest delay).
  return { counted: false, before: Number.MAX_SAFE_INTEGER, windowStart: now, contended: true };
}
