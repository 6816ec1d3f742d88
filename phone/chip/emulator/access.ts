/**
 * The emulated chip's side of access control: BAC (GET CHALLENGE, EXTERNAL AUTHENTICATE) and
 * PACE-GM (MSE:Set AT and the four General Authenticate steps), ICAO 9303-11 §4.3–4.4.
 */
import { concat, decodeOid, equal, findTag, readTlv, tlv } from "../bytes.ts";
import { bacKeys, bacSession } from "../bac.ts";
import { paceOid } from "../card_access.ts";
import {
  cbcZeroIv,
  type Cipher,
  keyLength,
  nonceLength,
  pad,
  retailMac,
  tripleDes,
} from "../crypto.ts";
import {
  type Domain,
  mapGeneric,
  mapIntegrated,
  publicKey,
  type Random,
  randomPrivateKey,
  sharedSecret,
  standardDomain,
} from "../domain.ts";
import type { AccessKey } from "../keys.ts";
import { authToken, integratedMappingValue, passwordKey, sessionKeys } from "../pace.ts";
import { type Command, type Response, SecureMessaging } from "../sm.ts";

/** A PACE configuration the chip offers (Generic Mapping unless `mapping` says IM). */
export interface PaceOffer {
  agreement: "ECDH" | "DH";
  mapping?: "GM" | "IM";
  parameterId: number;
  cipher: Cipher;
}

const OK = (data: Uint8Array = new Uint8Array(0)): Response => ({ data, sw: 0x9000 });
const SW = (sw: number): Response => ({ data: new Uint8Array(0), sw });

/** Access-control state machine of the chip. */
export class ChipAccess {
  #rndIc: Uint8Array | undefined;
  #pace:
    | {
      offer: PaceOffer;
      oid: string;
      key: AccessKey;
      domain: Domain;
      step: number;
      nonce?: Uint8Array;
      keys?: { enc: Uint8Array; mac: Uint8Array };
      ourPublic?: Uint8Array;
      theirPublic?: Uint8Array;
    }
    | undefined;

  constructor(
    private readonly config: {
      mrz: Extract<AccessKey, { kind: "mrz" }>;
      can?: string;
      pace: PaceOffer[];
      bac: boolean;
      random: Random;
    },
  ) {}

  /** Forgets any half-done protocol (card reset). */
  reset(): void {
    this.#rndIc = undefined;
    this.#pace = undefined;
  }

  /** GET CHALLENGE. */
  getChallenge(command: Command): Response {
    if (!this.config.bac) return SW(0x6d00);
    if (command.le !== 8) return SW(0x6700);
    this.#rndIc = this.config.random(8);
    return OK(this.#rndIc);
  }

  /** EXTERNAL AUTHENTICATE; resolves with the new session on success. */
  externalAuthenticate(command: Command): { response: Response; sm?: SecureMessaging } {
    const rndIc = this.#rndIc;
    this.#rndIc = undefined;
    const data = command.data;
    if (!this.config.bac || !rndIc || !data || data.length !== 40) return { response: SW(0x6985) };
    const keys = bacKeys(this.config.mrz);
    const e = data.subarray(0, 32);
    if (!equal(retailMac(keys.mac, pad(e, 8)), data.subarray(32))) return { response: SW(0x6300) };
    const r = tripleDes(keys.enc, new Uint8Array(8), e, "decrypt");
    if (!equal(r.subarray(8, 16), rndIc)) return { response: SW(0x6300) };
    const rndIfd = r.subarray(0, 8);
    const kIc = this.config.random(16);
    const answer = tripleDes(keys.enc, new Uint8Array(8), concat(rndIc, rndIfd, kIc), "encrypt");
    return {
      response: OK(concat(answer, retailMac(keys.mac, pad(answer, 8)))),
      sm: bacSession(r.subarray(16, 32), kIc, rndIc, rndIfd),
    };
  }

  /** MSE:Set AT for PACE. */
  setAuthenticationTemplate(command: Command): Response {
    this.#pace = undefined;
    const data = command.data ?? new Uint8Array(0);
    let oid: string, ref: Uint8Array | undefined, id: Uint8Array | undefined;
    try {
      oid = decodeOid(findTag(data, 0x80) ?? new Uint8Array(0));
      ref = findTag(data, 0x83);
      id = findTag(data, 0x84);
    } catch {
      return SW(0x6a80);
    }
    const offer = this.config.pace.find((o) =>
      paceOid(o.agreement, o.mapping ?? "GM", o.cipher) === oid && (!id || id[0] === o.parameterId)
    );
    if (!offer) return SW(0x6a80);
    const key: AccessKey | undefined = ref?.[0] === 1
      ? this.config.mrz
      : ref?.[0] === 2 && this.config.can
      ? { kind: "can", can: this.config.can }
      : undefined;
    if (!key) return SW(0x6a88);
    this.#pace = { offer, oid, key, domain: standardDomain(offer.parameterId)!, step: 1 };
    return OK();
  }

  /** One PACE General Authenticate step; the last one resolves with the session. */
  generalAuthenticate(command: Command): { response: Response; sm?: SecureMessaging } {
    const pace = this.#pace;
    if (!pace) return { response: SW(0x6985) };
    let inner: Uint8Array;
    try {
      const outer = readTlv(command.data ?? new Uint8Array(0));
      if (outer.tag !== 0x7c) throw new Error("no 7C");
      inner = outer.value;
    } catch {
      this.#pace = undefined;
      return { response: SW(0x6a80) };
    }
    const { cipher } = pace.offer;
    const last = (command.cla & 0x10) === 0;
    try {
      if (pace.step === 1 && !last) {
        pace.nonce = this.config.random(nonceLength(cipher));
        pace.step = 2;
        const z = cbcZeroIv(cipher, passwordKey(pace.key, cipher), pace.nonce, "encrypt");
        return { response: OK(tlv(0x7c, tlv(0x80, z))) };
      }
      if (pace.step === 2 && !last && pace.offer.mapping === "IM") {
        const t = findTag(inner, 0x81)!;
        if (t.length !== keyLength(cipher)) throw new Error("bad t");
        const x = integratedMappingValue(cipher, pace.domain, pace.nonce!, t);
        pace.domain = mapIntegrated(pace.domain, x);
        pace.step = 3;
        return { response: OK(tlv(0x7c, tlv(0x82, new Uint8Array(0)))) };
      }
      if (pace.step === 2 && !last) {
        const theirs = findTag(inner, 0x81)!;
        const mapKey = randomPrivateKey(pace.domain, this.config.random);
        const ours = publicKey(pace.domain, mapKey);
        pace.domain = mapGeneric(pace.domain, pace.nonce!, mapKey, theirs);
        pace.step = 3;
        return { response: OK(tlv(0x7c, tlv(0x82, ours))) };
      }
      if (pace.step === 3 && !last) {
        const theirs = findTag(inner, 0x83)!;
        const ephemeral = randomPrivateKey(pace.domain, this.config.random);
        const ours = publicKey(pace.domain, ephemeral);
        if (equal(ours, theirs)) throw new Error("same key");
        pace.keys = sessionKeys(cipher, sharedSecret(pace.domain, ephemeral, theirs));
        pace.ourPublic = ours;
        pace.theirPublic = theirs;
        pace.step = 4;
        return { response: OK(tlv(0x7c, tlv(0x84, ours))) };
      }
      if (pace.step === 4 && last) {
        const token = findTag(inner, 0x85);
        const keys = pace.keys!;
        const expected = authToken(cipher, keys.mac, pace.oid, pace.domain, pace.ourPublic!);
        this.#pace = undefined;
        if (!token || !equal(token, expected)) return { response: SW(0x6300) };
        const ours = authToken(cipher, keys.mac, pace.oid, pace.domain, pace.theirPublic!);
        return {
          response: OK(tlv(0x7c, tlv(0x86, ours))),
          sm: new SecureMessaging(cipher, keys.enc, keys.mac),
        };
      }
    } catch {
      // fall through: a malformed or invalid step aborts PACE
    }
    this.#pace = undefined;
    return { response: SW(0x6a80) };
  }
}
