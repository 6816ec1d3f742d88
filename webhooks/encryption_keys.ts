/**
 * Integrators' encryption keys (docs/webhooks.md): public RSA JWKs of at least 2048 bits with no
 * private members, used with RSA-OAEP-256. Registering a key makes it the endpoint's only active
 * key; keys can be deactivated and reactivated (reactivating one deactivates the other).
 */
import { importJWK } from "jose";
import { fromBase64Url, isId, newId } from "../lib/core/ids.ts";
import type { AppDeps } from "../lib/deps.ts";
import type { EncryptionKeyRecord, EndpointRecord, KeyStatus, PublicRsaJwk } from "./model.ts";
import { webhookKeys } from "./model.ts";
import { getManyValues } from "../lib/core/kv.ts";

/** Smallest and largest accepted modulus. */
export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 8192;

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** A validation failure with its API code. */
export interface KeyProblem {
  code: "INVALID_ENCRYPTION_KEY" | "PRIVATE_KEY_NOT_ALLOWED" | "ENCRYPTION_KEY_TOO_SMALL";
  message: string;
}

/** Validates an integrator's JWK; returns the public members to store, or the problem. */
export async function validatePublicJwk(
  input: unknown,
): Promise<{ ok: true; n: string; e: string; bits: number } | { ok: false; problem: KeyProblem }> {
  const fail = (code: KeyProblem["code"], message: string) => ({
    ok: false as const,
    problem: { code, message },
  });
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    return fail("INVALID_ENCRYPTION_KEY", "jwk must be a JSON Web Key object.");
  }
  const jwk = input as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => m in jwk)) {
    return fail(
      "PRIVATE_KEY_NOT_ALLOWED",
      "jwk contains private key members; send the public key only.",
    );
  }
  if (jwk.kty !== "RSA") return fail("INVALID_ENCRYPTION_KEY", 'jwk.kty must be "RSA".');
  if (jwk.alg !== undefined && jwk.alg !== "RSA-OAEP-256") {
    return fail("INVALID_ENCRYPTION_KEY", 'jwk.alg must be "RSA-OAEP-256" when given.');
  }
  if (jwk.use !== undefined && jwk.use !== "enc") {
    return fail("INVALID_ENCRYPTION_KEY", 'jwk.use must be "enc" when given.');
  }
  if (
    typeof jwk.n !== "string" || typeof jwk.e !== "string" ||
    !/^[A-Za-z0-9_-]+$/.test(jwk.n + jwk.e)
  ) {
    return fail("INVALID_ENCRYPTION_KEY", "jwk.n and jwk.e must be base64url strings.");
  }
  const bits = bitLength(fromBase64Url(jwk.n));
  if (bits < MIN_RSA_BITS) {
    return fail(
      "ENCRYPTION_KEY_TOO_SMALL",
      `The RSA modulus has ${bits} bits; at least ${MIN_RSA_BITS} are required.`,
    );
  }
  if (bits > MAX_RSA_BITS) {
    return fail("INVALID_ENCRYPTION_KEY", `The RSA modulus may have at most ${MAX_RSA_BITS} bits.`);
  }
  const e = fromBase64Url(jwk.e);
  if (e.length > 8 || bitLength(e) < 2 || (e[e.length - 1] & 1) === 0) {
    return fail("INVALID_ENCRYPTION_KEY", "jwk.e is not a valid RSA public exponent.");
  }
  try {
    await importJWK({ kty: "RSA", n: jwk.n, e: jwk.e }, "RSA-OAEP-256");
  } catch {
    return fail(
      "INVALID_ENCRYPTION_KEY",
      "jwk could not be imported as an RSA-OAEP-256 public key.",
    );
  }
  return { ok: true, n: jwk.n, e: jwk.e, bits };
}

function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

/** An integrator's own key id: 1–128 characters of `A–Z a–z 0–9 . _ : -`. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Why a key could not be added: the `key_id` is taken on this endpoint, or the endpoint moved. */
export type AddKeyFailure = "duplicate_key_id" | "changed";

/**
 * Adds a validated key to an endpoint and makes it the only active one. `keyId` (already matched
 * against `KEY_ID_PATTERN`) becomes the JWE `kid`; it must be unique among the endpoint's keys.
 * The endpoint entry read before the key list is checked on commit, so two concurrent adds of
 * the same `key_id` cannot both succeed.
 */
export async function addEncryptionKey(
  deps: Pick<AppDeps, "kv" | "clock" | "random">,
  endpointEntry: Deno.KvEntry<EndpointRecord>,
  publicKey: { n: string; e: string; bits: number },
  keyId?: string,
): Promise<EncryptionKeyRecord | AddKeyFailure> {
  const endpoint = endpointEntry.value;
  const now = deps.clock.now().toISOString();
  const id = newId("whk", deps.random);
  if (keyId !== undefined) {
    const existing = await listEncryptionKeys(deps.kv, endpoint.id);
    if (existing.some((k) => k.jwk.kid === keyId || k.id === keyId)) return "duplicate_key_id";
  }
  const jwk: PublicRsaJwk = {
    kty: "RSA",
    n: publicKey.n,
    e: publicKey.e,
    alg: "RSA-OAEP-256",
    use: "enc",
    kid: keyId ?? id,
  };
  const key: EncryptionKeyRecord = {
    id,
    orgId: endpoint.orgId,
    endpointId: endpoint.id,
    jwk,
    modulusBits: publicKey.bits,
    status: "active",
    createdAt: now,
    updatedAt: now,
  };
  const op = deps.kv.atomic().check(endpointEntry)
    .set(webhookKeys.key(id), key)
    .set(webhookKeys.keyByEndpoint(endpoint.id, id), id)
    .set(webhookKeys.endpoint(endpoint.id), { ...endpoint, activeKeyId: id, updatedAt: now });
  const previous = endpoint.activeKeyId
    ? await deps.kv.get<EncryptionKeyRecord>(webhookKeys.key(endpoint.activeKeyId))
    : null;
  if (previous?.value) {
    op.check(previous).set(previous.key, { ...previous.value, status: "inactive", updatedAt: now });
  }
  return (await op.commit()).ok ? key : "changed";
}

/** Reads a key of an organization. */
export async function getEncryptionKey(
  kv: Deno.Kv,
  orgId: string,
  id: string,
): Promise<EncryptionKeyRecord | null> {
  if (!isId("whk", id)) return null;
  const key = (await kv.get<EncryptionKeyRecord>(webhookKeys.key(id))).value;
  return key && key.orgId === orgId ? key : null;
}

/** An endpoint's keys, newest first. */
export async function listEncryptionKeys(
  kv: Deno.Kv,
  endpointId: string,
): Promise<EncryptionKeyRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: webhookKeys.keysByEndpointPrefix(endpointId) })) {
    ids.push(e.value);
  }
  const keys = await getManyValues<EncryptionKeyRecord>(kv, ids.map(webhookKeys.key));
  return keys.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * Activates or deactivates a key, keeping one active key per endpoint: activating a key
 * deactivates the current one. Re-checks everything it read; retries on a concurrent change.
 */
export async function setEncryptionKeyStatus(
  deps: Pick<AppDeps, "kv" | "clock">,
  orgId: string,
  keyId: string,
  status: KeyStatus,
): Promise<EncryptionKeyRecord | null> {
  for (let round = 0; round < 10; round++) {
    const keyEntry = await deps.kv.get<EncryptionKeyRecord>(webhookKeys.key(keyId));
    if (!keyEntry.value || keyEntry.value.orgId !== orgId) return null;
    const endpointEntry = await deps.kv.get<EndpointRecord>(
      webhookKeys.endpoint(keyEntry.value.endpointId),
    );
    if (!endpointEntry.value) return null;
    const endpoint = endpointEntry.value;
    const now = deps.clock.now().toISOString();
    const updated = { ...keyEntry.value, status, updatedAt: now };
    const activeKeyId = status === "active"
      ? keyId
      : endpoint.activeKeyId === keyId
      ? null
      : endpoint.activeKeyId;
    const op = deps.kv.atomic().check(keyEntry).check(endpointEntry)
      .set(keyEntry.key, updated)
      .set(endpointEntry.key, { ...endpoint, activeKeyId, updatedAt: now });
    if (status === "active" && endpoint.activeKeyId && endpoint.activeKeyId !== keyId) {
      const other = await deps.kv.get<EncryptionKeyRecord>(webhookKeys.key(endpoint.activeKeyId));
      if (other.value) {
        op.check(other).set(other.key, { ...other.value, status: "inactive", updatedAt: now });
      }
    }
    if ((await op.commit()).ok) return updated;
  }
  throw new Error("encryption key status kept changing; retry");
}
