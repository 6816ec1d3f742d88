/**
 * Basic Access Control, terminal side (ICAO 9303-11 §4.3): GET CHALLENGE, EXTERNAL
 * AUTHENTICATE with E.IFD ‖ M.IFD, session keys from K.IFD ⊕ K.IC and SSC from the nonces.
 */
import { concat, equal } from "./bytes.ts";
import { kdf, pad, retailMac, tripleDes } from "./crypto.ts";
import type { Random } from "./domain.ts";
import { ChipError, statusHex } from "./errors.ts";
import { type AccessKey, bacKeySeed } from "./keys.ts";
import type { PlainSend } from "./pace.ts";
import { SecureMessaging } from "./sm.ts";

/** The document basic access keys K_enc, K_mac from the MRZ. */
export function bacKeys(
  key: Extract<AccessKey, { kind: "mrz" }>,
): { enc: Uint8Array; mac: Uint8Array } {
  const seed = bacKeySeed(key);
  return { enc: kdf(seed, 1, "3DES"), mac: kdf(seed, 2, "3DES") };
}

/** The terminal's EXTERNAL AUTHENTICATE data E.IFD ‖ M.IFD for given nonces and key material. */
export function bacCryptogram(
  keys: { enc: Uint8Array; mac: Uint8Array },
  rndIfd: Uint8Array,
  rndIc: Uint8Array,
  kIfd: Uint8Array,
): Uint8Array {
  const e = tripleDes(keys.enc, new Uint8Array(8), concat(rndIfd, rndIc, kIfd), "encrypt");
  return concat(e, retailMac(keys.mac, pad(e, 8)));
}

/** BAC session keys and SSC from both key halves and nonces. */
export function bacSession(
  kIfd: Uint8Array,
  kIc: Uint8Array,
  rndIc: Uint8Array,
  rndIfd: Uint8Array,
): SecureMessaging {
  const seed = kIfd.map((b, i) => b ^ kIc[i]);
  const ssc = concat(rndIc.subarray(4, 8), rndIfd.subarray(4, 8));
  return new SecureMessaging("3DES", kdf(seed, 1, "3DES"), kdf(seed, 2, "3DES"), ssc);
}

/** Runs BAC; resolves with the secure-messaging session. */
export async function performBac(
  send: PlainSend,
  key: AccessKey,
  random: Random,
  log: (line: string) => void,
): Promise<SecureMessaging> {
  if (key.kind !== "mrz") {
    throw new ChipError(
      "unsupported_chip",
      "BAC needs the MRZ; this chip offers no PACE for the CAN",
    );
  }
  const challenge = await send({ cla: 0, ins: 0x84, p1: 0, p2: 0, le: 8 });
  if (challenge.sw !== 0x9000 || challenge.data.length !== 8) {
    throw new ChipError(
      "unsupported_chip",
      `GET CHALLENGE answered ${statusHex(challenge.sw)}`,
      challenge.sw,
    );
  }
  const keys = bacKeys(key);
  const rndIc = challenge.data.slice();
  const rndIfd = random(8);
  const kIfd = random(16);
  const answer = await send({
    cla: 0,
    ins: 0x82,
    p1: 0,
    p2: 0,
    data: bacCryptogram(keys, rndIfd, rndIc, kIfd),
    le: 40,
  });
  if (answer.sw !== 0x9000) throw new ChipError("mrz_key_rejected", "BAC refused", answer.sw);
  if (answer.data.length !== 40) throw new ChipError("malformed_response", "BAC answer length");
  const e = answer.data.subarray(0, 32);
  if (!equal(retailMac(keys.mac, pad(e, 8)), answer.data.subarray(32))) {
    throw new ChipError("secure_messaging_failed", "the chip's BAC MAC does not verify");
  }
  const r = tripleDes(keys.enc, new Uint8Array(8), e, "decrypt");
  if (!equal(r.subarray(0, 8), rndIc) || !equal(r.subarray(8, 16), rndIfd)) {
    throw new ChipError("secure_messaging_failed", "the chip's BAC nonces do not match");
  }
  log("BAC established");
  return bacSession(kIfd, r.subarray(16, 32), rndIc, rndIfd);
}
