/**
 * Kayle ID webhook receiver for integrators. Self-contained: depends only on `jose` and WebCrypto
 * (Deno, Node 20+, Bun, Workers), none of the server's code — copy this file into your project.
 *
 * 1. `verifyKayleSignature`: checks `X-Kayle-Signature: t=<unix>,v1=<hex>[,v1=<hex>]` — the
 *    HMAC-SHA256 of `"<t>.<body>"` under your signing secret (the whole `whsec_...` text) — in
 *    constant time, accepting any `v1` value (two are sent during a secret rotation) and any of
 *    your secrets, and refusing timestamps more than 5 minutes off.
 * 2. `decryptKayleEvent`: decrypts the body, a compact JWE (RSA-OAEP-256 + A256GCM), with your
 *    private key, and returns the event JSON.
 * 3. `receiveKayleWebhook`: both, from a `Request`.
 *
 * `generateEncryptionKeyPair` makes the RSA-OAEP-256 key pair whose public half you register.
 */
import { compactDecrypt, importJWK, type JWK } from "jose";
import { parseSignatureHeader as parseHeaderAsTheSdkDoes } from "../sdk/js/src/webhooks.ts";
import { KayleWebhookError } from "../sdk/js/src/errors.ts";

/** Default tolerance between the signature's timestamp and your clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why a webhook was refused. */
export type WebhookVerificationCode =
  | "missing_signature"
  | "malformed_signature"
  | "timestamp_out_of_tolerance"
  | "signature_mismatch"
  | "wrong_content_type"
  | "decryption_failed"
  | "invalid_payload";

/** Raised when a webhook must be refused; answer 400 and do not process it. */
export class WebhookVerificationError extends Error {
  constructor(readonly code: WebhookVerificationCode, message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** The event JSON delivered by Kayle ID. */
export interface KayleEvent {
  type: string;
  metadata: {
    contract_version: number;
    event_id: string;
    verification_session_id: string;
    verification_attempt_id?: string;
  };
  data: Record<string, unknown>;
}

/** An encryption key pair: register `publicJwk`, keep `privateJwk` (or `privateKey`) secret. */
export interface EncryptionKeyPair {
  /** The public JWK to register (`POST /v1/webhooks/endpoints/{id}/keys`). */
  publicJwk: JsonWebKey;
  /** The private key, ready for `decryptKayleEvent`. */
  privateKey: CryptoKey;
  /** The private key as a JWK, to store in your secret manager. */
  privateJwk: JsonWebKey;
}

/** Generates an RSA-OAEP-256 key pair (`bits` ≥ 2048; 3072 is a good default for new keys). */
export async function generateEncryptionKeyPair(bits = 3072): Promise<EncryptionKeyPair> {
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSA-OAEP",
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["encrypt", "decrypt"],
  );
  return {
    publicJwk: await crypto.subtle.exportKey("jwk", pair.publicKey),
    privateKey: pair.privateKey,
    privateJwk: await crypto.subtle.exportKey("jwk", pair.privateKey),
  };
}

/** Options of `verifyKayleSignature`. */
export interface VerifyOptions {
  /** The raw request body (the JWE string), exactly as received. */
  body: string;
  /** The `X-Kayle-Signature` header. */
  header: string | null;
  /** Your signing secret, or several (keep the old one while you roll a rotation out). */
  secret: string | string[];
  toleranceSeconds?: number;
  /** Current time in ms (tests); default `Date.now()`. */
  now?: number;
}

const encoder = new TextEncoder();

/**
 * Splits the header into its timestamp and `v1` values: the SDK's reading (one grammar for every
 * receiver, docs/webhooks.md), with this module's error.
 */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } {
  try {
    return parseHeaderAsTheSdkDoes(header);
  } catch (error) {
    if (!(error instanceof KayleWebhookError)) throw error;
    throw new WebhookVerificationError("malformed_signature", "X-Kayle-Signature is malformed.");
  }
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
  return mac.toHex();
}

/** Constant-time equality of two equal-length ASCII strings. */
function timingSafeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Verifies the signature; throws `WebhookVerificationError`, returns the signed timestamp. */
export async function verifyKayleSignature(options: VerifyOptions): Promise<number> {
  if (!options.header) {
    throw new WebhookVerificationError("missing_signature", "X-Kayle-Signature is missing.");
  }
  const { timestamp, signatures } = parseSignatureHeader(options.header);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    throw new WebhookVerificationError(
      "timestamp_out_of_tolerance",
      "The signature timestamp is too far from now.",
    );
  }
  const secrets = Array.isArray(options.secret) ? options.secret : [options.secret];
  let matched = false;
  // Every pair is compared, so the time taken does not reveal which one matched.
  for (const secret of secrets) {
    const expected = await hmacHex(secret, `${timestamp}.${options.body}`);
    for (const signature of signatures) {
      matched = timingSafeEqualText(expected, signature) || matched;
    }
  }
  if (!matched) {
    throw new WebhookVerificationError(
      "signature_mismatch",
      "No signature matches the signing secret.",
    );
  }
  return timestamp;
}

/** Your private key: a JWK (with `d`), or a CryptoKey for RSA-OAEP-256. */
export type PrivateKeyInput = JWK | CryptoKey;

/** Decrypts the JWE body with your private key and parses the event. */
export async function decryptKayleEvent(
  jwe: string,
  privateKey: PrivateKeyInput,
): Promise<KayleEvent> {
  const key = "kty" in privateKey ? await importJWK(privateKey as JWK, "RSA-OAEP-256") : privateKey;
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe.trim(), key, {
      keyManagementAlgorithms: ["RSA-OAEP-256"],
      contentEncryptionAlgorithms: ["A256GCM"],
    }));
  } catch {
    throw new WebhookVerificationError(
      "decryption_failed",
      "The payload could not be decrypted with this key.",
    );
  }
  try {
    const event = JSON.parse(new TextDecoder().decode(plaintext)) as KayleEvent;
    if (typeof event?.type !== "string" || typeof event?.metadata?.event_id !== "string") {
      throw new Error();
    }
    return event;
  } catch {
    throw new WebhookVerificationError(
      "invalid_payload",
      "The decrypted payload is not a Kayle ID event.",
    );
  }
}

/** Verifies and decrypts a webhook request; throws `WebhookVerificationError`. */
export async function receiveKayleWebhook(
  request: Request,
  options: {
    secret: string | string[];
    privateKey: PrivateKeyInput;
    toleranceSeconds?: number;
    now?: number;
  },
): Promise<KayleEvent> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("application/jose")) {
    throw new WebhookVerificationError(
      "wrong_content_type",
      "Content-Type must be application/jose.",
    );
  }
  const body = await request.text();
  await verifyKayleSignature({
    ...options,
    body,
    header: request.headers.get("x-kayle-signature"),
  });
  return await decryptKayleEvent(body, options.privateKey);
}
