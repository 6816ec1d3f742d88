/**
 * The server key and what is derived from it: keyed hashes (HMAC-SHA256) for secrets stored
 * only as hashes, and an AES-256-GCM secret box for secrets that must be revealed later.
 * Each use gets its own subkey (HKDF with a purpose label), so one key never serves two roles.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { cryptoRandom, type RandomSource } from "./random.ts";

const encoder = new TextEncoder();

/** Purposes of derived keys; adding one never changes the others. */
export type KeyPurpose =
  | "secret-hash"
  | "secret-box"
  | "csrf"
  | "org-claims"
  | "rate-limit"
  | "idempotency"
  | "key-fingerprint";

/** Keys derived from the 32-byte server key. */
export interface ServerKeys {
  /** The raw server key (never logged). */
  readonly raw: Uint8Array;
  /** HMAC-SHA256 of `value` under the purpose's subkey, as lowercase hex. */
  hash(value: string, purpose?: KeyPurpose): Promise<string>;
  /** Encrypts a UTF-8 string; the result is `v1.<iv b64>.<ciphertext b64>`. */
  seal(plaintext: string, associatedData?: string): Promise<string>;
  /** Decrypts what `seal` produced; throws `SecretBoxError` when tampered or malformed. */
  open(sealed: string, associatedData?: string): Promise<string>;
  /** Derives 32 raw bytes for a purpose and context (e.g. org-scoped claim keys). */
  derive(purpose: KeyPurpose, context: string): Promise<Uint8Array>;
}

/** Raised when a sealed secret cannot be opened. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

/** Builds the derived keys from a 32-byte server key. */
export async function createServerKeys(
  raw: Uint8Array,
  random: RandomSource = cryptoRandom,
): Promise<ServerKeys> {
  if (raw.length !== 32) throw new Error("the server key must be exactly 32 bytes");
  const hkdfKey = await crypto.subtle.importKey("raw", raw as BufferSource, "HKDF", false, [
    "deriveBits",
  ]);
  const derive = async (purpose: KeyPurpose, context: string) =>
    new Uint8Array(
      await crypto.subtle.deriveBits(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: encoder.encode("kayle-id/v1"),
          info: encoder.encode(`${purpose}:${context}`),
        },
        hkdfKey,
        256,
      ),
    );
  // HMAC subkeys as raw bytes: hashing runs synchronously in node:crypto (one per API request:
  // no async hop to WebCrypto's thread pool on the hot path; docs/performance.md).
  const hmacKeys = new Map<KeyPurpose, Uint8Array>();
  const hmacKey = async (purpose: KeyPurpose) => {
    let key = hmacKeys.get(purpose);
    if (!key) {
      key = await derive(purpose, "");
      hmacKeys.set(purpose, key);
    }
    return key;
  };
  const boxKey = await crypto.subtle.importKey(
    "raw",
    (await derive("secret-box", "")) as BufferSource,
    "AES-GCM",
    false,
    ["encrypt", "decrypt"],
  );
  return {
    raw,
    derive,
    async hash(value, purpose = "secret-hash") {
      return createHmac("sha256", await hmacKey(purpose)).update(value, "utf8").digest("hex");
    },
    async seal(plaintext, associatedData = "") {
      const iv = random.bytes(12);
      const ct = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: iv as BufferSource, additionalData: encoder.encode(associatedData) },
        boxKey,
        encoder.encode(plaintext),
      );
      return `v1.${iv.toBase64()}.${new Uint8Array(ct).toBase64()}`;
    },
    async open(sealed, associatedData = "") {
      const [version, ivText, ctText] = sealed.split(".");
      if (version !== "v1" || !ivText || !ctText) {
        throw new SecretBoxError("malformed sealed value");
      }
      try {
        const pt = await crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv: fromB64(ivText) as BufferSource,
            additionalData: encoder.encode(associatedData),
          },
          boxKey,
          fromB64(ctText) as BufferSource,
        );
        return new TextDecoder().decode(pt);
      } catch {
        throw new SecretBoxError("sealed value failed authentication");
      }
    },
  };
}

/** Constant-time comparison of two strings (false when lengths differ). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.length !== right.length) {
    // Compare anyway so the time does not depend on where a prefix ends.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return bytes.toHex();
}

function fromB64(text: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    throw new SecretBoxError("malformed sealed value");
  }
}
