/**
 * A simulated eMRTD chip for tests and test mode: it answers Active Authentication (ISO/IEC
 * 9796-2 scheme 1 for RSA keys, plain ECDSA for EC keys) and Chip Authentication (key agreement
 * with the terminal's ephemeral key, then the first secure-messaging exchange with a correct MAC).
 */
import { nobleCurve } from "../chip/curves.ts";
import { bigintToBytes, concatBytes, decodeUnsigned, modPow } from "../chip/der.ts";
import type { SmCipher } from "../chip/dg14.ts";
import { digest, DIGEST_LENGTH, type HashName } from "../chip/hashes.ts";
import { computeSharedSecret } from "../chip/key_agreement.ts";
import { buildProtectedCommand, buildProtectedResponse } from "../chip/protected_apdu.ts";
import { deriveSessionKeys } from "../chip/secure_messaging.ts";
import type { DhPublicKey, EcPublicKey } from "../chip/public_key.ts";
import { equalBytes, TRAILER_HASH_IDS } from "../active/iso9796_2.ts";
import { FIRST_COMMAND } from "../chip/chip_authentication.ts";
import { type EcKeyPair, ecSecretKeyBytes, type RsaKeyPair } from "./keys.ts";

/** The AA key of a simulated chip and the digest it signs with. */
export interface SimulatedAaKey {
  pair: RsaKeyPair | EcKeyPair;
  hash: HashName;
}

/** The CA key of a simulated chip. */
export interface SimulatedCaKey {
  domainKey: EcPublicKey | DhPublicKey;
  privateScalar: bigint;
  cipher: SmCipher;
}

/** The first protected exchange after CA, as the phone relays it. */
export interface RelayedExchange {
  command: Uint8Array;
  response: Uint8Array;
}

/** Signs an AA challenge with ISO/IEC 9796-2 scheme 1, partial recovery (header 0x6A). */
export function signIso9796_2(pair: RsaKeyPair, challenge: Uint8Array, hash: HashName): Uint8Array {
  const k = Math.ceil(pair.publicKey.bits / 8);
  const trailer = hash === "SHA-1" ? Uint8Array.of(0xbc) : Uint8Array.of(hashId(hash), 0xcc);
  const m1 = crypto.getRandomValues(new Uint8Array(k - 1 - DIGEST_LENGTH[hash] - trailer.length));
  const d = digest(hash, concatBytes(m1, challenge));
  const f = decodeUnsigned(concatBytes(Uint8Array.of(0x6a), m1, d, trailer));
  return bigintToBytes(modPow(f, pair.privateExponent, pair.publicKey.modulus), k);
}

function hashId(hash: HashName): number {
  const entry = Object.entries(TRAILER_HASH_IDS).find(([, name]) => name === hash);
  return Number(entry![0]);
}

/** A simulated chip. Without a key it refuses the corresponding protocol. */
export class ChipSimulator {
  readonly #aa?: SimulatedAaKey;
  readonly #ca?: SimulatedCaKey;

  /** Creates a chip with optional AA and CA keys. */
  constructor(keys: { aa?: SimulatedAaKey; ca?: SimulatedCaKey }) {
    this.#aa = keys.aa;
    this.#ca = keys.ca;
  }

  /** INTERNAL AUTHENTICATE: signs the challenge with the AA key. */
  signActiveAuthentication(challenge: Uint8Array): Promise<Uint8Array> {
    if (!this.#aa) return Promise.reject(new Error("chip_has_no_aa_key"));
    const { pair, hash } = this.#aa;
    if (pair.kind === "rsa") return Promise.resolve(signIso9796_2(pair, challenge, hash));
    const curve = nobleCurve(pair.publicKey.curve);
    const signature = curve.sign(digest(hash, challenge), ecSecretKeyBytes(pair), {
      prehash: false,
      lowS: false,
      format: "compact",
    });
    return Promise.resolve(signature);
  }

  /**
   * Runs CA with the terminal's ephemeral public key, then the first protected exchange: it
   * answers `command` (the server's, from `session.protectedCommand()`) or, when omitted, the
   * same deterministic READ BINARY the server issues. A command whose MAC does not verify under
   * the chip's keys gets the unprotected 6988 a real chip sends.
   */
  async runChipAuthentication(
    terminalPublicKey: Uint8Array,
    command?: Uint8Array,
  ): Promise<RelayedExchange> {
    if (!this.#ca) throw new Error("chip_has_no_ca_key");
    const { domainKey, privateScalar, cipher } = this.#ca;
    const secret = computeSharedSecret(domainKey, privateScalar, terminalPublicKey);
    const keys = deriveSessionKeys(secret, cipher);
    const expected = await buildProtectedCommand(keys, 1, FIRST_COMMAND);
    const sent = command ?? expected;
    if (!equalBytes(sent, expected)) return { command: sent, response: Uint8Array.of(0x69, 0x88) };
    const response = await buildProtectedResponse(keys, 2, Uint8Array.of(0x6e, 0x82, 0x01, 0x4a));
    return { command: sent, response };
  }
}
