/**
 * Secure messaging after Chip Authentication (ICAO 9303 p11 §9.7–9.8): key derivation, the two
 * MAC algorithms (3DES retail MAC and AES-CMAC), padding, and the block ciphers the chip uses to
 * encrypt response data. Pure functions; AES comes from WebCrypto, DES from des.js.
 */
import des from "des.js";
import { concatBytes } from "./der.ts";
import type { SmCipher } from "./dg14.ts";
import { digest } from "./hashes.ts";

/** Session keys derived from the CA shared secret. */
export interface SessionKeys {
  cipher: SmCipher;
  encKey: Uint8Array;
  macKey: Uint8Array;
}

/** Block size of the cipher: 8 for 3DES, 16 for AES. */
export function blockSize(cipher: SmCipher): number {
  return cipher === "3DES" ? 8 : 16;
}

/** KDF of ICAO 9303 p11 §9.7.1: H(secret ‖ counter) truncated to the key length. */
export function deriveKey(sharedSecret: Uint8Array, cipher: SmCipher, counter: 1 | 2): Uint8Array {
  const input = concatBytes(sharedSecret, Uint8Array.of(0, 0, 0, counter));
  switch (cipher) {
    case "3DES":
    case "AES-128":
      return digest("SHA-1", input).slice(0, 16);
    case "AES-192":
      return digest("SHA-256", input).slice(0, 24);
    case "AES-256":
      return digest("SHA-256", input);
  }
}

/** Derives KS_enc (counter 1) and KS_mac (counter 2). */
export function deriveSessionKeys(sharedSecret: Uint8Array, cipher: SmCipher): SessionKeys {
  return {
    cipher,
    encKey: deriveKey(sharedSecret, cipher, 1),
    macKey: deriveKey(sharedSecret, cipher, 2),
  };
}

/** ISO/IEC 9797-1 padding method 2: 0x80 then zeros up to the block size. */
export function pad(data: Uint8Array, size: number): Uint8Array {
  const padded = new Uint8Array((Math.floor(data.length / size) + 1) * size);
  padded.set(data);
  padded[data.length] = 0x80;
  return padded;
}

/** A send sequence counter: a small number, or the raw block (e.g. BAC's SSC). */
export type Ssc = number | Uint8Array;

/** The send sequence counter as a block-sized big-endian integer. */
export function encodeSsc(ssc: Ssc, cipher: SmCipher): Uint8Array {
  if (ssc instanceof Uint8Array) return ssc;
  const bytes = new Uint8Array(blockSize(cipher));
  const view = new DataView(bytes.buffer);
  view.setUint32(bytes.length - 4, ssc);
  return bytes;
}

function desBlock(key: Uint8Array, block: Uint8Array, type: "encrypt" | "decrypt"): Uint8Array {
  const cipher = des.DES.create({ type, key: Array.from(key), padding: false });
  // des.js holds back the last block when decrypting until final() is called.
  return Uint8Array.from([...cipher.update(Array.from(block)), ...cipher.final()]);
}

/** ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with single-DES chaining; `data` already padded. */
export function retailMac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const ka = key.subarray(0, 8);
  const kb = key.subarray(8, 16);
  let state: Uint8Array = new Uint8Array(8);
  for (let offset = 0; offset < data.length; offset += 8) {
    const block = data.subarray(offset, offset + 8).map((byte, i) => byte ^ state[i]);
    state = desBlock(ka, block, "encrypt");
  }
  return desBlock(ka, desBlock(kb, state, "decrypt"), "encrypt");
}

/** Two-key 3DES in CBC mode without padding (the chip's encryption of response data). */
export function tripleDesCbc(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  type: "encrypt" | "decrypt",
): Uint8Array {
  const fullKey = concatBytes(key.subarray(0, 16), key.subarray(0, 8));
  const cbc = des.CBC.instantiate(des.EDE).create({
    type,
    key: Array.from(fullKey),
    iv: Array.from(iv),
    padding: false,
  });
  return Uint8Array.from([...cbc.update(Array.from(data)), ...cbc.final()]);
}

/** AES-CBC encryption without padding (data is a multiple of 16 bytes). */
export async function aesCbcEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key as BufferSource, "AES-CBC", false, [
    "encrypt",
  ]);
  const out = await crypto.subtle.encrypt(
    { name: "AES-CBC", iv: iv as BufferSource },
    cryptoKey,
    data as BufferSource,
  );
  // WebCrypto always appends a PKCS#7 block; the unpadded ciphertext is what precedes it.
  return new Uint8Array(out).slice(0, data.length);
}

function doubleBlock(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = ((block[i] << 1) | (i < 15 ? block[i + 1] >> 7 : 0)) & 0xff;
  if (block[0] & 0x80) out[15] ^= 0x87;
  return out;
}

/** AES-CMAC (NIST SP 800-38B), full 16 bytes. */
export async function aesCmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const zero = new Uint8Array(16);
  const k1 = doubleBlock(await aesCbcEncrypt(key, zero, zero));
  const complete = data.length > 0 && data.length % 16 === 0;
  const message = complete ? data.slice() : pad(data, 16);
  const subkey = complete ? k1 : doubleBlock(k1);
  const last = message.length - 16;
  for (let i = 0; i < 16; i++) message[last + i] ^= subkey[i];
  return (await aesCbcEncrypt(key, zero, message)).slice(last);
}

/** The 8-byte SM MAC over SSC ‖ data (data unpadded; padding is added here). */
export async function secureMessagingMac(
  keys: SessionKeys,
  ssc: Ssc,
  data: Uint8Array,
): Promise<Uint8Array> {
  const size = blockSize(keys.cipher);
  const input = pad(concatBytes(encodeSsc(ssc, keys.cipher), data), size);
  if (keys.cipher === "3DES") return retailMac(keys.macKey, input);
  return (await aesCmac(keys.macKey, input)).slice(0, 8);
}

/** Encrypts response/command data for DO'87' as the chip would (padding added here). */
export async function encryptData(
  keys: SessionKeys,
  ssc: Ssc,
  data: Uint8Array,
): Promise<Uint8Array> {
  const padded = pad(data, blockSize(keys.cipher));
  if (keys.cipher === "3DES") {
    return tripleDesCbc(keys.encKey, new Uint8Array(8), padded, "encrypt");
  }
  // AES SM uses IV = E(KS_enc, SSC).
  const iv = await aesCbcEncrypt(keys.encKey, new Uint8Array(16), encodeSsc(ssc, keys.cipher));
  return aesCbcEncrypt(keys.encKey, iv, padded);
}
