/**
 * Symmetric cryptography of ICAO 9303-11 for the reader and the emulator: the KDF (§9.7.1),
 * 3DES-CBC and the retail MAC (ISO/IEC 9797-1 algorithm 3), AES-CBC and AES-CMAC, padding method
 * 2. Pure JavaScript: des.js and @noble/ciphers, digests from @noble/hashes.
 */
import des from "des.js";
import { cbc, cmac, ecb } from "@noble/ciphers/aes.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concat } from "./bytes.ts";
import { ChipError } from "./errors.ts";

/** Secure-messaging cipher. */
export type Cipher = "3DES" | "AES-128" | "AES-192" | "AES-256";

/** Block size: 8 for 3DES, 16 for AES. */
export function blockSize(cipher: Cipher): number {
  return cipher === "3DES" ? 8 : 16;
}

/** Sets odd parity on each byte (DES keys). */
function adjustParity(key: Uint8Array): Uint8Array {
  return key.map((b) => {
    let ones = 0;
    for (let i = 1; i < 8; i++) ones += (b >> i) & 1;
    return (b & 0xfe) | (ones % 2 === 0 ? 1 : 0);
  });
}

/**
 * KDF(K, c) of ICAO 9303-11 §9.7.1: SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256,
 * truncated to the key length. Counter 1 = encryption, 2 = MAC, 3 = PACE password key.
 */
export function kdf(secret: Uint8Array, counter: number, cipher: Cipher): Uint8Array {
  const input = concat(secret, Uint8Array.of(0, 0, 0, counter));
  switch (cipher) {
    case "3DES":
      return adjustParity(sha1(input).slice(0, 16));
    case "AES-128":
      return sha1(input).slice(0, 16);
    case "AES-192":
      return sha256(input).slice(0, 24);
    case "AES-256":
      return sha256(input);
  }
}

/** ISO/IEC 9797-1 padding method 2. */
export function pad(data: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array((Math.floor(data.length / size) + 1) * size);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Removes padding method 2; undefined when the padding is wrong. */
export function unpad(data: Uint8Array): Uint8Array | undefined {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80) return undefined;
  return data.subarray(0, i);
}

function desEcb(key: Uint8Array, block: Uint8Array, type: "encrypt" | "decrypt"): Uint8Array {
  const c = des.DES.create({ type, key: Array.from(key), padding: false });
  return Uint8Array.from([...c.update(Array.from(block)), ...c.final()]);
}

/** Two-key 3DES-CBC without padding. */
export function tripleDes(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  type: "encrypt" | "decrypt",
): Uint8Array {
  const full = concat(key.subarray(0, 16), key.subarray(0, 8));
  const c = des.CBC.instantiate(des.EDE).create({
    type,
    key: Array.from(full),
    iv: Array.from(iv),
    padding: false,
  });
  return Uint8Array.from([...c.update(Array.from(data)), ...c.final()]);
}

/** Retail MAC (ISO/IEC 9797-1 algorithm 3, single-DES chaining); `data` already padded. */
export function retailMac(key: Uint8Array, data: Uint8Array): Uint8Array {
  const ka = key.subarray(0, 8);
  const kb = key.subarray(8, 16);
  let state: Uint8Array = new Uint8Array(8);
  for (let offset = 0; offset < data.length; offset += 8) {
    const block = data.subarray(offset, offset + 8).map((b, i) => b ^ state[i]);
    state = desEcb(ka, block, "encrypt");
  }
  return desEcb(ka, desEcb(kb, state, "decrypt"), "encrypt");
}

/** AES-CBC without padding. */
export function aesCbc(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  type: "encrypt" | "decrypt",
): Uint8Array {
  const c = cbc(key, iv, { disablePadding: true });
  return type === "encrypt" ? c.encrypt(data) : c.decrypt(data);
}

/** One AES block encryption (the SM IV: E(KSenc, SSC)). */
export function aesBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  return ecb(key, { disablePadding: true }).encrypt(block);
}

/** Block-cipher CBC with a zero IV (PACE nonce, BAC cryptograms). */
export function cbcZeroIv(
  cipher: Cipher,
  key: Uint8Array,
  data: Uint8Array,
  type: "encrypt" | "decrypt",
): Uint8Array {
  const iv = new Uint8Array(blockSize(cipher));
  if (data.length === 0 || data.length % iv.length !== 0) {
    throw new ChipError("malformed_response", "cryptogram is not a whole number of blocks");
  }
  return cipher === "3DES" ? tripleDes(key, iv, data, type) : aesCbc(key, iv, data, type);
}

/**
 * The 8-byte MAC of ICAO 9303-11: retail MAC over padded data (3DES), AES-CMAC truncated to 8
 * bytes (AES; CMAC pads itself, so `data` is given as SM builds it: already padded to blocks).
 */
export function mac8(cipher: Cipher, key: Uint8Array, data: Uint8Array): Uint8Array {
  if (cipher === "3DES") return retailMac(key, pad(data, 8));
  return cmac(data, key).slice(0, 8);
}

const IM_C0_128 = "a668892a7c41e3ca739f40b057d85904";
const IM_C1_128 = "a4e136ac725f738b01c1f60217c188ad";
const IM_C0_256 = "d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676";
const IM_C1_256 = "54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517";

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}

/** Key length k of the cipher in bytes (3DES counts as 128 bits, §4.4.3.3.2). */
export function keyLength(cipher: Cipher): number {
  return cipher === "AES-192" ? 24 : cipher === "AES-256" ? 32 : 16;
}

/** Nonce length l: the smallest multiple of the block size ≥ the key length (§4.4.3.3). */
export function nonceLength(cipher: Cipher): number {
  const block = blockSize(cipher);
  return Math.ceil(keyLength(cipher) / block) * block;
}

/**
 * The pseudo-random function R(s, t) of Integrated Mapping (ICAO 9303-11 §4.4.3.3.2, Figure 2):
 * k₀ = E(t, s); x_i = E(k_i, c1), k_{i+1} = E(k_i, c0), each CBC with IV 0 and keys truncated to
 * the key size; n blocks of l bits with n·l ≥ log2 p + 64. Returns x₁‖…‖x_n (before mod p).
 */
export function integratedMappingPrf(
  cipher: Cipher,
  s: Uint8Array,
  t: Uint8Array,
  primeBits: number,
): Uint8Array {
  const l = s.length;
  const long = l >= 32;
  const c0 = hexBytes(long ? IM_C0_256 : IM_C0_128);
  const c1 = hexBytes(long ? IM_C1_256 : IM_C1_128);
  const k = keyLength(cipher);
  const n = Math.ceil((primeBits + 64) / (l * 8));
  let key = cbcZeroIv(cipher, t.subarray(0, k), s, "encrypt").subarray(0, k);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    out.push(cbcZeroIv(cipher, key, c1, "encrypt"));
    key = cbcZeroIv(cipher, key, c0, "encrypt").subarray(0, k);
  }
  return concat(...out);
}
