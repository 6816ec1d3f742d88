/**
 * Receiving Kayle ID webhooks: `verifyAndDecrypt` checks `X-Kayle-Signature` over the raw body
 * (HMAC-SHA256 of `"<t>.<body>"` under the whole `whsec_…` secret, any `v1` value, any of your
 * secrets, timestamp within 5 minutes), then decrypts the compact JWE (RSA-OAEP-256 + A256GCM)
 * with the private key named by its `kid` and returns the typed event. WebCrypto and `jose` only.
 */
import { compactDecrypt, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { KayleWebhookError } from "./errors.ts";
import type { KayleEvent } from "./events.ts";

/** Default tolerance between the signature's timestamp and your clock (the server's docs: 5 min). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The raw request body: bytes (Uint8Array, Node's Buffer, ArrayBuffer) or the string as received. */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** Request headers: a `Headers` object or a plain object such as Node's `req.headers`. */
export type HeadersLike =
  | Headers
  | Record<string, string | string[] | undefined>;

/** A private key: a JWK with `d` (as stored), or an imported `CryptoKey` (RSA-OAEP-256). */
export type PrivateKeyInput = JWK | JsonWebKey | CryptoKey;

/** Options of {@link verifyAndDecrypt}. */
export interface VerifyOptions {
  /** Your signing secret(s). During a rotation pass both, e.g. `[current, previous]`. */
  signingSecrets: string | string[];
  /**
   * Your private keys by key id (`whk_…`, the `key_id` the server gave the public key), or JWKs
   * that carry their key id in `kid`. The JWE header's `kid` picks the key.
   */
  privateKeys: Record<string, PrivateKeyInput> | Array<JWK | JsonWebKey>;
  /** Seconds of clock difference accepted (default 300). */
  toleranceSeconds?: number;
  /** Current time in ms (tests); default `Date.now()`. */
  now?: number;
}

const encoder = new TextEncoder();

/** The body's bytes exactly as received; refuses parsed objects. */
function rawBodyBytes(rawBody: unknown): Uint8Array {
  if (typeof rawBody === "string") return encoder.encode(rawBody);
  if (rawBody instanceof Uint8Array) return rawBody; // Node's Buffer too
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  if (ArrayBuffer.isView(rawBody)) {
    return new Uint8Array(
      rawBody.buffer,
      rawBody.byteOffset,
      rawBody.byteLength,
    );
  }
  const what = rawBody === null || rawBody === undefined
    ? String(rawBody)
    : `a parsed ${Array.isArray(rawBody) ? "array" : typeof rawBody}`;
  throw new KayleWebhookError(
    "parsed_body",
    `rawBody is ${what}, not the raw request body. The signature covers the exact bytes ` +
      "received; a body parsed by a framework (express.json(), bodyParser, request.json()) and " +
      "serialised again never matches. Pass the bytes or text as received: express.raw(" +
      '{ type: "application/jose" }) in Express, await request.text() with fetch-style ' +
      "requests, the collected chunks with node:http.",
  );
}

function header(headers: HeadersLike, name: string): string | null {
  if (typeof (headers as Headers)?.get === "function") {
    return (headers as Headers).get(name);
  }
  const record = (headers ?? {}) as Record<
    string,
    string | string[] | undefined
  >;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(",") : value ?? null;
}

/** Splits `t=<unix>,v1=<hex>[,v1=<hex>]`. */
export function parseSignatureHeader(
  value: string,
): { timestamp: number; signatures: string[] } {
  const timestamps: string[] = [];
  const signatures: string[] = [];
  // Parts are `name=value`, split at the first `=`; parts of other names (or none) are skipped.
  for (const part of value.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const [name, v] = [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    if (name === "t") timestamps.push(v);
    if (name === "v1" && /^[0-9a-f]{64}$/.test(v)) signatures.push(v);
  }
  // Exactly one timestamp: with two, which one was signed would depend on the reader.
  const timestamp = timestamps.length === 1 && /^\d{1,12}$/.test(timestamps[0])
    ? Number(timestamps[0])
    : NaN;
  if (!Number.isFinite(timestamp) || signatures.length === 0) {
    throw new KayleWebhookError(
      "malformed_signature",
      "X-Kayle-Signature is not t=<unix seconds>,v1=<64 hex>[,v1=<64 hex>].",
    );
  }
  return { timestamp, signatures };
}

async function hmacHex(
  secret: string,
  message: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time equality of two ASCII strings of the same length. */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks `X-Kayle-Signature` against the raw body; returns the signed timestamp. Throws
 * {@link KayleWebhookError}.
 */
export async function verifySignature(
  rawBody: RawBody,
  headers: HeadersLike,
  options: Pick<VerifyOptions, "signingSecrets" | "toleranceSeconds" | "now">,
): Promise<number> {
  const body = rawBodyBytes(rawBody);
  const value = header(headers, "x-kayle-signature");
  if (!value) {
    throw new KayleWebhookError(
      "missing_signature",
      "The X-Kayle-Signature header is missing.",
    );
  }
  const { timestamp, signatures } = parseSignatureHeader(value);
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) {
    throw new KayleWebhookError(
      "timestamp_out_of_tolerance",
      `The signature's timestamp is ${Math.abs(now - timestamp)} s from this server's clock ` +
        `(more than ${tolerance} s): a replayed delivery, or a clock that needs NTP.`,
    );
  }
  const secrets = typeof options.signingSecrets === "string"
    ? [options.signingSecrets]
    : options.signingSecrets;
  if (
    !Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => !s)
  ) {
    throw new TypeError(
      "signingSecrets must be a whsec_… string or a non-empty array of them.",
    );
  }
  // The signed message is "<t>." followed by the body's bytes.
  const prefix = encoder.encode(`${timestamp}.`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  let matched = false;
  // Every pair is compared, so the time taken does not tell which one matched.
  for (const secret of secrets) {
    const expected = await hmacHex(secret, message);
    for (const signature of signatures) {
      matched = timingSafeEqual(expected, signature) || matched;
    }
  }
  if (!matched) {
    throw new KayleWebhookError(
      "signature_mismatch",
      "No v1 signature matches these bytes under your signing secret(s): a wrong or outdated " +
        "secret, or a body that was changed on the way.",
    );
  }
  return timestamp;
}

function keyFor(
  kid: string,
  keys: VerifyOptions["privateKeys"],
): PrivateKeyInput | undefined {
  if (Array.isArray(keys)) return keys.find((k) => (k as JWK).kid === kid);
  return Object.hasOwn(keys ?? {}, kid) ? keys[kid] : undefined;
}

async function decrypt(
  body: string,
  options: VerifyOptions,
): Promise<Uint8Array> {
  let header: ReturnType<typeof decodeProtectedHeader> | null = null;
  try {
    header = decodeProtectedHeader(body.trim());
  } catch {
    header = null;
  }
  // Only the server's algorithms: anything else is no delivery, whatever key it names.
  if (header?.alg !== "RSA-OAEP-256" || header?.enc !== "A256GCM") {
    throw new KayleWebhookError(
      "decryption_failed",
      "The body is not a compact JWE of RSA-OAEP-256 and A256GCM.",
    );
  }
  const kid: unknown = header.kid;
  const key = typeof kid === "string" ? keyFor(kid, options.privateKeys) : undefined;
  if (!key) {
    throw new KayleWebhookError(
      "no_key_for_kid",
      `The payload is encrypted to key ${JSON.stringify(kid)}, and no private key was given ` +
        "for it: pass it in privateKeys under its key id (keep old keys until their deliveries end).",
    );
  }
  try {
    const cryptoKey = "kty" in key ? await importJWK(key as JWK, "RSA-OAEP-256") : key;
    const { plaintext } = await compactDecrypt(body.trim(), cryptoKey, {
      keyManagementAlgorithms: ["RSA-OAEP-256"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    return plaintext;
  } catch {
    throw new KayleWebhookError(
      "decryption_failed",
      `The payload could not be decrypted with the private key given for ${kid}.`,
    );
  }
}

/**
 * Verifies a delivery's signature over the raw body, decrypts it and returns the event. Throws
 * {@link KayleWebhookError} (answer 400) when it must be refused.
 */
export async function verifyAndDecrypt(
  rawBody: RawBody,
  headers: HeadersLike,
  options: VerifyOptions,
): Promise<KayleEvent> {
  // Deliveries are sent as application/jose; when the headers carry another type, refuse it.
  const type = header(headers, "content-type");
  if (type !== null && !/^application\/jose\s*(;|$)/i.test(type)) {
    throw new KayleWebhookError(
      "wrong_content_type",
      `Content-Type is ${JSON.stringify(type)}; Kayle ID deliveries are application/jose.`,
    );
  }
  await verifySignature(rawBody, headers, options);
  // Signed, so these are the server's bytes: an ASCII compact JWE.
  const plaintext = await decrypt(
    new TextDecoder().decode(rawBodyBytes(rawBody)),
    options,
  );
  let event: KayleEvent;
  try {
    event = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    event = null as never;
  }
  if (
    typeof event?.type !== "string" ||
    typeof event?.metadata?.event_id !== "string" ||
    typeof event?.data !== "object" || event.data === null
  ) {
    throw new KayleWebhookError(
      "invalid_payload",
      "The decrypted payload is not a Kayle ID event.",
    );
  }
  return event;
}

/** An encryption key pair: register `publicJwk`, keep `privateJwk` secret. */
export interface EncryptionKeyPair {
  /** The public JWK to register (`encryptionKeys.create(endpointId, { jwk: publicJwk })`). */
  publicJwk: {
    kty: "RSA";
    n: string;
    e: string;
    alg: "RSA-OAEP-256";
    use: "enc";
  };
  /** The private JWK, for your secret manager; pass it to `verifyAndDecrypt` under its key id. */
  privateJwk: JsonWebKey;
}

/** Generates an RSA-OAEP-256 key pair (`modulusLength` ≥ 2048; default 3072). */
export async function generateEncryptionKeyPair(
  options: { modulusLength?: number } = {},
): Promise<EncryptionKeyPair> {
  const modulusLength = options.modulusLength ?? 3072;
  if (!Number.isInteger(modulusLength) || modulusLength < 2048) {
    throw new RangeError(
      "modulusLength must be an integer of at least 2048 bits.",
    );
  }
  const pair = await crypto.subtle.generateKey(
    {
      name: "RSA-OAEP",
      modulusLength,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["encrypt", "decrypt"],
  ) as CryptoKeyPair;
  const pub = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const privateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  return {
    publicJwk: {
      kty: "RSA",
      n: pub.n!,
      e: pub.e!,
      alg: "RSA-OAEP-256",
      use: "enc",
    },
    privateJwk: { ...privateJwk, alg: "RSA-OAEP-256", use: "enc" },
  };
}
