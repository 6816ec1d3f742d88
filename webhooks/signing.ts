/**
 * Signing secrets and the `X-Kayle-Signature` header (docs/webhooks.md), and the compact JWE of the
 * payload. The HMAC key is the UTF-8 text of the whole secret, `whsec_` prefix included, as the
 * integrator copies it; the signed message is `"<t>.<body>"` where body is the JWE string.
 */
import { CompactEncrypt, importJWK } from "jose";
import { toHex } from "../lib/core/keys.ts";
import type { RandomSource } from "../lib/core/random.ts";
import type { PublicRsaJwk } from "./model.ts";

const encoder = new TextEncoder();

/** A new signing secret: `whsec_` + base64 of 24 random bytes (32 characters). */
export function generateSigningSecret(random: RandomSource): string {
  return `whsec_${random.bytes(24).toBase64()}`;
}

/** Shape of a signing secret. */
export const SIGNING_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32}$/;

/** A secret as a non-extractable HMAC-SHA256 key (it cannot give the secret back). */
export function signingKeyOf(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

/** Hex HMAC-SHA256 of `"<t>.<body>"` under one secret (or its imported key). */
export async function signPayload(
  secret: string | CryptoKey,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = typeof secret === "string" ? await signingKeyOf(secret) : secret;
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}.${body}`));
  return toHex(new Uint8Array(mac));
}

/** `t=<unix>,v1=<hex>[,v1=<hex>]`: one `v1` per secret still signing (two during a rotation). */
export async function signatureHeader(
  secrets: Array<string | CryptoKey>,
  timestamp: number,
  body: string,
): Promise<string> {
  const values = await Promise.all(secrets.map((s) => signPayload(s, timestamp, body)));
  return [`t=${timestamp}`, ...values.map((v) => `v1=${v}`)].join(",");
}

// Importing an RSA key costs more than encrypting with it. The imported key is found by the whole
// public key it was made from, never by anything an organization chooses or shares with another
// (its `key_id`, a prefix of the modulus): a look-alike key of another tenant must not be used to
// encrypt this tenant's events.
const importedKeys = new Map<string, CryptoKey>();

/** Encrypts the event JSON as a compact JWE (RSA-OAEP-256, A256GCM, kid = key id). */
export async function encryptPayload(jwk: PublicRsaJwk, payload: unknown): Promise<string> {
  const cacheKey = `${jwk.e}.${jwk.n}`;
  let key = importedKeys.get(cacheKey);
  if (!key) {
    key = await importJWK({ kty: "RSA", n: jwk.n, e: jwk.e }, "RSA-OAEP-256") as CryptoKey;
    if (importedKeys.size > 1000) importedKeys.clear();
    importedKeys.set(cacheKey, key);
  }
  return await new CompactEncrypt(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: "RSA-OAEP-256", enc: "A256GCM", kid: jwk.kid })
    .encrypt(key);
}
