/**
 * The emulated chip's own keys: Active Authentication signatures (ISO/IEC 9796-2 scheme 1 with
 * RSA, plain ECDSA r‖s with EC keys; ICAO 9303-11 §6.1) and the Chip Authentication key
 * agreement (§6.2). Pure: @noble/curves and @noble/hashes.
 */
import { ecdsa } from "@noble/curves/abstract/weierstrass.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { byteLength, concat, fromBigInt, modPow, toBigInt } from "../bytes.ts";
import type { Cipher } from "../crypto.ts";
import { type Domain, ecDomain, type Random, sharedSecret } from "../domain.ts";

/** Digests an AA key may use. */
export type AaHash = "SHA-1" | "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512";

const DIGESTS: Record<AaHash, { fn: (data: Uint8Array) => Uint8Array; id: number }> = {
  "SHA-1": { fn: sha1, id: 0x33 },
  "SHA-224": { fn: sha224, id: 0x38 },
  "SHA-256": { fn: sha256, id: 0x34 },
  "SHA-384": { fn: sha384, id: 0x36 },
  "SHA-512": { fn: sha512, id: 0x35 },
};

/** The chip's Active Authentication private key. */
export type AaPrivateKey =
  | { kind: "rsa"; modulus: bigint; privateExponent: bigint; hash: AaHash }
  | { kind: "ec"; curve: string; privateKey: bigint; hash: AaHash };

/** The chip's Chip Authentication private key and the cipher CA switches to. */
export interface CaPrivateKey {
  domain: Domain;
  privateKey: bigint;
  cipher: Cipher;
}

/** Signs an AA challenge as a chip does. */
export function signChallenge(
  key: AaPrivateKey,
  challenge: Uint8Array,
  random: Random,
): Uint8Array {
  const { fn, id } = DIGESTS[key.hash];
  if (key.kind === "rsa") {
    // ISO/IEC 9796-2 scheme 1, partial recovery: 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer.
    const k = byteLength(key.modulus);
    const trailer = key.hash === "SHA-1" ? Uint8Array.of(0xbc) : Uint8Array.of(id, 0xcc);
    const digestLength = fn(new Uint8Array(0)).length;
    const m1 = random(k - 1 - digestLength - trailer.length);
    const f = concat(Uint8Array.of(0x6a), m1, fn(concat(m1, challenge)), trailer);
    return fromBigInt(modPow(toBigInt(f), key.privateExponent, key.modulus), k);
  }
  const domain = ecDomain(key.curve);
  if (!domain) throw new Error("emulator: unknown AA curve");
  const signer = ecdsa(domain.Point, sha256, { lowS: false });
  return signer.sign(fn(challenge), fromBigInt(key.privateKey, byteLength(domain.n)), {
    prehash: false,
    lowS: false,
    format: "compact",
  });
}

/** The CA shared secret with the terminal's ephemeral public key. */
export function caSharedSecret(key: CaPrivateKey, terminalPublic: Uint8Array): Uint8Array {
  return sharedSecret(key.domain, key.privateKey, terminalPublic);
}
