/**
 * PACE with Generic or Integrated Mapping, terminal side (ICAO 9303-11 §4.4, BSI TR-03110-2 §3.2): MSE:Set AT,
 * then four General Authenticate steps — encrypted nonce, mapping, key agreement, tokens. The
 * steps that carry no secret are exported for the ICAO worked-example tests and the emulator.
 */
import { concat, equal, findTag, oidBytes, readTlv, tlv, toBigInt } from "./bytes.ts";
import { cbcZeroIv, type Cipher, integratedMappingPrf, kdf, keyLength, mac8 } from "./crypto.ts";
import {
  type Domain,
  mapGeneric,
  mapIntegrated,
  publicKey,
  type Random,
  randomPrivateKey,
  sharedSecret,
} from "./domain.ts";
import { ChipError, statusHex } from "./errors.ts";
import { type AccessKey, pacePassword } from "./keys.ts";
import type { PaceInfo } from "./card_access.ts";
import { type Command, type Response, SecureMessaging } from "./sm.ts";

/** Sends one plain command. */
export type PlainSend = (command: Command) => Promise<Response>;

/** Why PACE did not complete. `fallback` means the chip does not really do PACE: try BAC. */
export class PaceUnavailable extends Error {
  constructor(readonly status: number) {
    super(`PACE refused with ${statusHex(status)}`);
  }
}

/** Integrated Mapping's x = R_p(s, t) mod p (§4.4.3.3.2). */
export function integratedMappingValue(
  cipher: Cipher,
  domain: Domain,
  s: Uint8Array,
  t: Uint8Array,
): bigint {
  const p = domain.p;
  return toBigInt(integratedMappingPrf(cipher, s, t, p.toString(2).length)) % p;
}

/** K_π = KDF(f(π), 3). */
export function passwordKey(key: AccessKey, cipher: Cipher): Uint8Array {
  return kdf(pacePassword(key), 3, cipher);
}

/** The authentication token input: 7F49 { 06 OID, 86 point | 84 value }. */
export function tokenInput(oid: string, domain: Domain, peerPublic: Uint8Array): Uint8Array {
  return tlv(0x7f49, tlv(0x06, oidBytes(oid)), tlv(domain.kind === "ec" ? 0x86 : 0x84, peerPublic));
}

/** The authentication token: MAC(KS_mac, token input) (§4.4.3.4). */
export function authToken(
  cipher: Cipher,
  macKey: Uint8Array,
  oid: string,
  domain: Domain,
  peerPublic: Uint8Array,
): Uint8Array {
  return mac8(cipher, macKey, tokenInput(oid, domain, peerPublic));
}

/** Session keys from the PACE shared secret. */
export function sessionKeys(
  cipher: Cipher,
  secret: Uint8Array,
): { enc: Uint8Array; mac: Uint8Array } {
  return { enc: kdf(secret, 1, cipher), mac: kdf(secret, 2, cipher) };
}

function generalAuthenticate(data: Uint8Array, last: boolean, extended: boolean): Command {
  return {
    cla: last ? 0x00 : 0x10,
    ins: 0x86,
    p1: 0,
    p2: 0,
    data: tlv(0x7c, data),
    le: extended ? 65536 : 256,
  };
}

function dynamicData(response: Response, tag: number): Uint8Array {
  const outer = readTlv(response.data);
  if (outer.tag !== 0x7c) {
    throw new ChipError("malformed_response", "no dynamic authentication data");
  }
  const value = findTag(outer.value, tag);
  if (!value) throw new ChipError("malformed_response", `tag ${tag.toString(16)} missing`);
  return value;
}

/** Options of {@link performPace}. */
export interface PaceRun {
  send: PlainSend;
  key: AccessKey;
  info: PaceInfo;
  domain: Domain;
  random: Random;
  /** Add DO'84' (the parameter id): only when EF.CardAccess offers more than one set. */
  sendParameterId: boolean;
  log: (line: string) => void;
}

/**
 * Runs PACE-GM or PACE-IM. Resolves with the new secure-messaging session (SSC 0). Throws
 * {@link PaceUnavailable} when the chip refuses to start PACE (caller falls back to BAC), and
 * `mrz_key_rejected` / `can_rejected` when the chip refuses the terminal's token.
 */
export async function performPace(run: PaceRun): Promise<SecureMessaging> {
  const { info, key, send, log } = run;
  let domain = run.domain;
  const ref = Uint8Array.of(key.kind === "mrz" ? 1 : 2);
  const mse = await send({
    cla: 0x00,
    ins: 0x22,
    p1: 0xc1,
    p2: 0xa4,
    data: concat(
      tlv(0x80, oidBytes(info.oid)),
      tlv(0x83, ref),
      run.sendParameterId && info.parameterId !== undefined
        ? tlv(0x84, Uint8Array.of(info.parameterId))
        : new Uint8Array(0),
    ),
  });
  if (mse.sw !== 0x9000 && (mse.sw >> 8) !== 0x63) throw new PaceUnavailable(mse.sw);
  const extended = domain.kind === "dh" && publicKey(domain, 1n).length > 200;
  const step1 = await send(generalAuthenticate(new Uint8Array(0), false, extended));
  if (step1.sw !== 0x9000) throw new PaceUnavailable(step1.sw);
  const nonce = cbcZeroIv(
    info.cipher,
    passwordKey(key, info.cipher),
    dynamicData(step1, 0x80),
    "decrypt",
  );
  log(`PACE ${info.agreement}-${info.mapping} ${info.cipher} ${domain.name}: nonce received`);

  if (info.mapping === "IM") {
    const t = run.random(keyLength(info.cipher));
    const step2 = await send(generalAuthenticate(tlv(0x81, t), false, extended));
    expectOk(step2, "mapping");
    domain = mapIntegrated(domain, integratedMappingValue(info.cipher, domain, nonce, t));
  } else {
    const mapKey = randomPrivateKey(domain, run.random);
    const step2 = await send(
      generalAuthenticate(tlv(0x81, publicKey(domain, mapKey)), false, extended),
    );
    expectOk(step2, "mapping");
    domain = mapGeneric(domain, nonce, mapKey, dynamicData(step2, 0x82));
  }

  const ephemeral = randomPrivateKey(domain, run.random);
  const ourPublic = publicKey(domain, ephemeral);
  const step3 = await send(generalAuthenticate(tlv(0x83, ourPublic), false, extended));
  expectOk(step3, "key agreement");
  const chipPublic = dynamicData(step3, 0x84);
  if (equal(chipPublic, ourPublic)) {
    throw new ChipError("malformed_response", "chip echoed our key");
  }
  const keys = sessionKeys(info.cipher, sharedSecret(domain, ephemeral, chipPublic));

  const token = authToken(info.cipher, keys.mac, info.oid, domain, chipPublic);
  const step4 = await send(generalAuthenticate(tlv(0x85, token), true, false));
  if (step4.sw !== 0x9000) {
    throw new ChipError(
      key.kind === "mrz" ? "mrz_key_rejected" : "can_rejected",
      "PACE token refused",
      step4.sw,
    );
  }
  const chipToken = dynamicData(step4, 0x86);
  if (!equal(chipToken, authToken(info.cipher, keys.mac, info.oid, domain, ourPublic))) {
    throw new ChipError("secure_messaging_failed", "the chip's PACE token does not verify");
  }
  log("PACE established");
  return new SecureMessaging(info.cipher, keys.enc, keys.mac);
}

function expectOk(response: Response, step: string): void {
  if (response.sw !== 0x9000) {
    throw new ChipError(
      "chip_error",
      `PACE ${step} refused with ${statusHex(response.sw)}`,
      response.sw,
    );
  }
}
