/**
 * Passkeys (WebAuthn) of dashboard users: a second way to sign in (docs/accounts.md). The ceremonies are
 * done by `@simplewebauthn/server`; this module keeps the state around them in KV:
 * - `["passkeys", credentialId]` → {@link Passkey}, `["passkeys_by_user", userId, credentialId]`;
 * - `["passkey_challenges", challenge]` → one-use challenges expiring after 5 minutes, consumed
 *   atomically (a replayed or expired challenge is refused).
 * The relying party is the public URL: RP ID its hostname, origin its origin. WebAuthn refuses IP
 * addresses as RP IDs, so with the default `http://127.0.0.1:8787` passkeys are unavailable.
 */
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { fromBase64Url, toBase64Url } from "../core/ids.ts";
import { z } from "zod";
import type { AppDeps } from "../deps.ts";
import type { User } from "./users.ts";
import { CodedError } from "../core/errors.ts";
import { accountKeys } from "./kv_keys.ts";
import { getManyValues } from "../core/kv.ts";

/** How long a ceremony's challenge stays usable. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Most passkeys one user may register. */
export const MAX_PASSKEYS_PER_USER = 20;
/** Longest passkey name kept. */
export const MAX_PASSKEY_NAME_LENGTH = 64;

/** A stored passkey (credential public key as COSE bytes). */
export interface Passkey {
  /** Credential id, base64url. */
  id: string;
  userId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Stable failure codes of the passkey ceremonies. */
export type PasskeyErrorCode =
  | "PASSKEYS_UNAVAILABLE"
  | "PASSKEY_CHALLENGE_INVALID"
  | "PASSKEY_UNKNOWN_CREDENTIAL"
  | "PASSKEY_VERIFICATION_FAILED"
  | "PASSKEY_COUNTER_REGRESSED"
  | "PASSKEY_ALREADY_REGISTERED"
  | "PASSKEY_LIMIT_REACHED";

/** A refused ceremony, with a stable code. */
export class PasskeyError extends CodedError<PasskeyErrorCode> {}

/** The relying party derived from the public URL. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** The message shown when the public URL cannot carry passkeys. */
export const PASSKEYS_NEED_DOMAIN =
  "Passkeys need a domain name: set KAYLE_PUBLIC_URL to http://localhost:8787 or your https domain.";

/**
 * {@link PASSKEYS_NEED_DOMAIN} for this server: the configured public URL's own port and scheme
 * on `localhost` when it is a loopback address, else a domain name instead of its address.
 */
export function passkeysNeedDomain(publicUrl: string): string {
  const url = new URL(publicUrl);
  if (/^127\.|^\[::1\]$/.test(url.hostname)) {
    return `Passkeys need a domain name: set KAYLE_PUBLIC_URL to ${url.protocol}//localhost${
      url.port ? `:${url.port}` : ""
    } (instead of ${url.host}) or to your https domain.`;
  }
  return `Passkeys need a domain name: set KAYLE_PUBLIC_URL to your https domain instead of the address ${url.host}.`;
}

/** The relying party of a public URL, or null when its host is an IP address. */
export function relyingPartyOf(publicUrl: string): RelyingParty | null {
  const url = new URL(publicUrl);
  const host = url.hostname;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith("[")) return null;
  return { id: host, origin: url.origin, name: "Kayle ID" };
}

function requireRelyingParty(deps: Pick<AppDeps, "config">): RelyingParty {
  const rp = relyingPartyOf(deps.config.publicUrl);
  if (!rp) {
    throw new PasskeyError("PASSKEYS_UNAVAILABLE", passkeysNeedDomain(deps.config.publicUrl));
  }
  return rp;
}

interface StoredChallenge {
  purpose: "register" | "authenticate";
  userId: string | null;
  expiresAt: string;
}

async function storeChallenge(
  deps: Pick<AppDeps, "kv" | "clock">,
  challenge: string,
  purpose: StoredChallenge["purpose"],
  userId: string | null,
): Promise<void> {
  const expiresAt = new Date(deps.clock.now().getTime() + PASSKEY_CHALLENGE_TTL_MS).toISOString();
  await deps.kv.set(accountKeys.passkeyChallenge(challenge), { purpose, userId, expiresAt }, {
    expireIn: PASSKEY_CHALLENGE_TTL_MS,
  });
}

/**
 * Consumes the challenge a response was made for: it must exist, be for this purpose (and user),
 * not be expired, and not have been used (deleted in a commit that checks its versionstamp).
 */
export async function consumeChallenge(
  deps: Pick<AppDeps, "kv" | "clock">,
  clientDataJSON: string,
  purpose: StoredChallenge["purpose"],
  userId: string | null,
): Promise<string> {
  const challenge = challengeOf(clientDataJSON);
  const invalid = new PasskeyError(
    "PASSKEY_CHALLENGE_INVALID",
    "This passkey request expired or was already used; try again.",
  );
  if (!challenge) throw invalid;
  const key = accountKeys.passkeyChallenge(challenge);
  const entry = await deps.kv.get<StoredChallenge>(key);
  if (!entry.value) throw invalid;
  const consumed = await deps.kv.atomic().check(entry).delete(key).commit();
  if (!consumed.ok) throw invalid;
  const stored = entry.value;
  // KV expiry is lazy; the stored deadline (on the injected clock) is the one that counts.
  if (new Date(stored.expiresAt) <= deps.clock.now()) throw invalid;
  if (stored.purpose !== purpose || stored.userId !== userId) throw invalid;
  return challenge;
}

function challengeOf(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(new TextDecoder().decode(fromBase64Url(clientDataJSON)));
    return typeof data?.challenge === "string" && data.challenge.length <= 128
      ? data.challenge
      : null;
  } catch {
    return null;
  }
}

/** Options for `navigator.credentials.create` for a signed-in user (discoverable, UV required). */
export async function beginPasskeyRegistration(
  deps: AppDeps,
  user: User,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = requireRelyingParty(deps);
  const existing = await listPasskeys(deps.kv, user.id);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userID: webAuthnUserId(user.id),
    challenge: toBase64Url(deps.random.bytes(32)),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
  await storeChallenge(deps, options.challenge, "register", user.id);
  return options;
}

/** The WebAuthn user handle of a user: its opaque id, never personal data. */
export function webAuthnUserId(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

/** Verifies a registration response and stores the new passkey. */
export async function finishPasskeyRegistration(
  deps: AppDeps,
  user: User,
  response: RegistrationResponseJSON,
  name: string,
): Promise<Passkey> {
  const rp = requireRelyingParty(deps);
  const clientData = response.response?.clientDataJSON ?? "";
  const challenge = await consumeChallenge(deps, clientData, "register", user.id);
  if ((await listPasskeys(deps.kv, user.id)).length >= MAX_PASSKEYS_PER_USER) {
    throw new PasskeyError("PASSKEY_LIMIT_REACHED", "This account has too many passkeys.");
  }
  const info = await verifyOrRefuse(() =>
    verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    })
  );
  if (!info.verified) throw verificationFailed();
  const credential = info.registrationInfo.credential;
  return await createPasskey(deps.kv, {
    id: credential.id,
    userId: user.id,
    publicKey: new Uint8Array(credential.publicKey),
    counter: credential.counter,
    transports: [...(credential.transports ?? [])],
    name: cleanPasskeyName(name) || "Passkey",
    createdAt: deps.clock.now().toISOString(),
    lastUsedAt: null,
  });
}

/** Stores a new passkey and its user index in one commit (`PASSKEY_ALREADY_REGISTERED`). */
export async function createPasskey(kv: Deno.Kv, passkey: Passkey): Promise<Passkey> {
  const key = accountKeys.passkey(passkey.id);
  const saved = await kv.atomic()
    .check({ key, versionstamp: null })
    .set(key, passkey)
    .set(accountKeys.passkeyByUser(passkey.userId, passkey.id), passkey.id)
    .commit();
  if (!saved.ok) {
    throw new PasskeyError("PASSKEY_ALREADY_REGISTERED", "This passkey is already registered.");
  }
  return passkey;
}

/** Options for `navigator.credentials.get` (discoverable credentials: no email asked). */
export async function beginPasskeyAuthentication(
  deps: AppDeps,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = requireRelyingParty(deps);
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: toBase64Url(deps.random.bytes(32)),
    userVerification: "required",
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
  await storeChallenge(deps, options.challenge, "authenticate", null);
  return options;
}

/** Verifies an authentication response; returns the passkey (counter and last use updated). */
export async function finishPasskeyAuthentication(
  deps: AppDeps,
  response: AuthenticationResponseJSON,
): Promise<Passkey> {
  const rp = requireRelyingParty(deps);
  const clientData = response.response?.clientDataJSON ?? "";
  const challenge = await consumeChallenge(deps, clientData, "authenticate", null);
  const entry = await deps.kv.get<Passkey>(accountKeys.passkey(String(response.id ?? "")));
  const passkey = entry.value;
  const handle = response.response.userHandle;
  if (!passkey || (handle && handle !== toBase64Url(webAuthnUserId(passkey.userId)))) {
    throw new PasskeyError("PASSKEY_UNKNOWN_CREDENTIAL", "This passkey is not registered here.");
  }
  refuseCounterRegression(response.response.authenticatorData, passkey.counter);
  const result = await verifyOrRefuse(() =>
    verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    })
  );
  if (!result.verified) throw verificationFailed();
  const updated: Passkey = {
    ...passkey,
    counter: result.authenticationInfo.newCounter,
    lastUsedAt: deps.clock.now().toISOString(),
  };
  // A concurrent use of the same passkey loses: one signature, one counter step.
  const saved = await deps.kv.atomic().check(entry).set(entry.key, updated).commit();
  if (!saved.ok) throw counterRegressed();
  return updated;
}

/**
 * Refuses a signature counter that did not move forward (a cloned authenticator), before the
 * library does, so the refusal has its own code. Counters stay 0 on many passkeys: allowed.
 */
export function refuseCounterRegression(authenticatorData: string, stored: number): void {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(authenticatorData);
  } catch {
    throw verificationFailed();
  }
  if (bytes.length < 37) throw verificationFailed();
  const counter = new DataView(bytes.buffer, bytes.byteOffset).getUint32(33);
  if ((counter > 0 || stored > 0) && counter <= stored) throw counterRegressed();
}

function counterRegressed(): PasskeyError {
  return new PasskeyError(
    "PASSKEY_COUNTER_REGRESSED",
    "This passkey's signature counter went backwards; it may have been cloned.",
  );
}

function verificationFailed(): PasskeyError {
  return new PasskeyError("PASSKEY_VERIFICATION_FAILED", "The passkey response did not verify.");
}

// The library throws plain errors (wrong origin, bad signature, malformed data): one code.
async function verifyOrRefuse<T>(verify: () => Promise<T>): Promise<T> {
  try {
    return await verify();
  } catch (error) {
    if (error instanceof PasskeyError) throw error;
    throw verificationFailed();
  }
}

/** A user's passkeys, oldest first. */
export async function listPasskeys(kv: Deno.Kv, userId: string): Promise<Passkey[]> {
  const ids: string[] = [];
  for await (const entry of kv.list<string>({ prefix: accountKeys.passkeysByUserPrefix(userId) })) {
    ids.push(entry.value);
  }
  if (!ids.length) return [];
  const found = await getManyValues<Passkey>(kv, ids.map(accountKeys.passkey));
  return found.filter((p) => p.userId === userId).sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt)
  );
}

/** Renames one of a user's passkeys; false when the user has no such passkey. */
export async function renamePasskey(
  kv: Deno.Kv,
  userId: string,
  id: string,
  name: string,
): Promise<boolean> {
  const entry = await kv.get<Passkey>(accountKeys.passkey(id));
  if (!entry.value || entry.value.userId !== userId) return false;
  const renamed = { ...entry.value, name: cleanPasskeyName(name) || entry.value.name };
  return (await kv.atomic().check(entry).set(entry.key, renamed).commit()).ok;
}

/** Removes one of a user's passkeys; false when the user has no such passkey. */
export async function deletePasskey(kv: Deno.Kv, userId: string, id: string): Promise<boolean> {
  const entry = await kv.get<Passkey>(accountKeys.passkey(id));
  if (!entry.value || entry.value.userId !== userId) return false;
  const result = await kv.atomic()
    .check(entry)
    .delete(entry.key)
    .delete(accountKeys.passkeyByUser(userId, id))
    .commit();
  return result.ok;
}

/** Trims a passkey name to one line of at most {@link MAX_PASSKEY_NAME_LENGTH} characters. */
export function cleanPasskeyName(name: string): string {
  // Names are shown in a one-line input: control characters (newlines, tabs…) become spaces.
  // deno-lint-ignore no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, " ").trim().slice(0, MAX_PASSKEY_NAME_LENGTH);
}

/** Shape check of a credential posted by the browser (the library verifies the contents). */
export const credentialSchema = z.object({
  id: z.string().min(1).max(1400),
  type: z.literal("public-key"),
  response: z.object({ clientDataJSON: z.string().min(1).max(16_384) }).passthrough(),
}).passthrough();

/** What the dashboard shows of a passkey (never the key bytes). */
export function passkeySummary(passkey: Passkey): {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
} {
  return {
    id: passkey.id,
    name: passkey.name,
    created_at: passkey.createdAt,
    last_used_at: passkey.lastUsedAt,
  };
}
