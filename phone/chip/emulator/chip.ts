/**
 * A card-level APDU emulator of an eMRTD (ICAO 9303-10/-11) for tests, the reference phone and
 * benchmarks: the eMRTD application with its files, EF.CardAccess, BAC and PACE-GM, 3DES/AES
 * secure messaging with access conditions (no file before access control), short and extended
 * length, odd-INS READ BINARY, Active and Chip Authentication, and switchable faults. Portable
 * like the reader core; it answers synchronously through {@link EmulatedChip.process}.
 */
import { concat, equal, findTag, tlv, toBigInt } from "../bytes.ts";
import { encodeCardAccess } from "../card_access.ts";
import { kdf } from "../crypto.ts";
import type { Random } from "../domain.ts";
import { type ChipFileName, FILES } from "../files.ts";
import type { AccessKey } from "../keys.ts";
import { type Command, parseApdu, type Response, SecureMessaging } from "../sm.ts";
import { ChipAccess, type PaceOffer } from "./access.ts";
import {
  type AaPrivateKey,
  type CaPrivateKey,
  caSharedSecret,
  signChallenge,
} from "./authentication.ts";

/** Everything an emulated chip is made of. */
export interface EmulatorConfig {
  /** The files of the eMRTD application by name (EF.CardAccess is generated from `pace`). */
  files: Partial<Record<Exclude<ChipFileName, "cardAccess">, Uint8Array>>;
  /** The MRZ access key the chip holds. */
  mrz: Extract<AccessKey, { kind: "mrz" }>;
  /** The CAN the chip holds (PACE only). */
  can?: string;
  /** PACE-GM offers, in EF.CardAccess order; empty or absent = a BAC-only chip. */
  pace?: PaceOffer[];
  /** Whether BAC is accepted (default true). */
  bac?: boolean;
  aa?: AaPrivateKey;
  ca?: CaPrivateKey;
  /** Accept extended-length APDUs (default true). */
  extendedLength?: boolean;
  /** The chip's randomness (default `crypto.getRandomValues`). */
  random?: Random;
  /**
   * Start with the eMRTD application selected (as iOS does before the app's first APDU); EF.CardAccess,
   * which lives in the master file, is then only readable after SELECT MF.
   */
  applicationPreselected?: boolean;
  /** Answer MSE:Set AT for PACE with this status word (a chip that lists PACE but refuses it). */
  refusePace?: number;
  /** Rewrites the plain answer to a protected command before it is protected (fuzzing). */
  tamper?: (command: Command, response: Response) => Response;
  /** Break the response MAC of the first protected READ BINARY. */
  responseMacFault?: "missing" | "bad";
}

const EMRTD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);
const CARD_ACCESS_FID = 0x011c;
const SW = (sw: number, data: Uint8Array = new Uint8Array(0)): Response => ({ data, sw });

/** A READ BINARY the chip served (for fault injection and tests). */
export interface ServedRead {
  file: ChipFileName;
  offset: number;
  length: number;
}

/** The emulated chip. */
export class EmulatedChip {
  readonly #config: EmulatorConfig;
  readonly #files = new Map<number, Uint8Array>();
  readonly #names = new Map<number, ChipFileName>();
  readonly #access: ChipAccess;
  readonly #random: Random;
  #sm: SecureMessaging | undefined;
  #appSelected = false;
  #selected: number | undefined;
  #macFaultPending: boolean;
  #caAgreement: { oid?: string } | undefined;
  /** The last READ BINARY served, if the last command was one. */
  lastRead: ServedRead | undefined;
  /** Commands processed. */
  apdus = 0;

  constructor(config: EmulatorConfig) {
    this.#config = config;
    this.#random = config.random ?? ((n) => globalThis.crypto.getRandomValues(new Uint8Array(n)));
    for (const [name, bytes] of Object.entries(config.files)) {
      const fid = FILES[name as ChipFileName].fid;
      this.#files.set(fid, bytes!);
      this.#names.set(fid, name as ChipFileName);
    }
    if (config.pace?.length) {
      this.#files.set(
        CARD_ACCESS_FID,
        encodeCardAccess(config.pace.map((o) => ({ mapping: "GM", ...o }))),
      );
      this.#names.set(CARD_ACCESS_FID, "cardAccess");
    }
    this.#access = new ChipAccess({
      mrz: config.mrz,
      can: config.can,
      pace: config.pace ?? [],
      bac: config.bac ?? true,
      random: this.#random,
    });
    this.#macFaultPending = config.responseMacFault !== undefined;
    this.#appSelected = config.applicationPreselected ?? false;
  }

  /** A power cycle: no secure messaging, nothing selected. */
  reset(): void {
    this.#sm = undefined;
    this.#appSelected = this.#config.applicationPreselected ?? false;
    this.#selected = undefined;
    this.#caAgreement = undefined;
    this.#access.reset();
  }

  /** Whether a secure-messaging session is up (tests). */
  get secured(): boolean {
    return this.#sm !== undefined;
  }

  /** Processes one command APDU; returns the response APDU. */
  process(apdu: Uint8Array): Uint8Array {
    this.apdus++;
    this.lastRead = undefined;
    const parsed = parseApdu(apdu);
    if (!parsed) return encode(SW(0x6700));
    if (parsed.extended && this.#config.extendedLength === false) {
      this.#sm = undefined;
      return encode(SW(0x6700));
    }
    if ((parsed.cla & 0x0c) === 0x0c) {
      const sm = this.#sm;
      if (!sm) return encode(SW(0x6988));
      const command = sm.open(apdu);
      if (!command) {
        this.#sm = undefined;
        return encode(SW(0x6988));
      }
      let response = this.#execute(command, true);
      if (this.#config.tamper && !response.switchTo) {
        response = this.#config.tamper(command, response);
      }
      if (this.#sm !== sm) return response.switchTo ? this.#switch(sm, response) : encode(response);
      let protectedResponse = sm.protect(response, command.ins === 0xb1);
      if ((command.ins === 0xb0 || command.ins === 0xb1) && this.#macFaultPending) {
        this.#macFaultPending = false;
        protectedResponse = breakMac(protectedResponse, this.#config.responseMacFault!);
      }
      return protectedResponse;
    }
    if (this.#sm) {
      // A plain command ends secure messaging; only a new access protocol is allowed then.
      this.#sm = undefined;
      const restart = parsed.ins === 0x84 || (parsed.ins === 0x22 && parsed.p1 === 0xc1) ||
        (parsed.ins === 0xa4 && parsed.p1 === 0x04) || (parsed.ins === 0xb0 && parsed.p1 === 0x9c);
      if (!restart) return encode(SW(0x6982));
    }
    return encode(this.#execute(parsed, false));
  }

  /** Sends the 9000 of MSE/GA under the old keys, then switches to the CA keys (SSC 0). */
  #switch(old: SecureMessaging, response: Response & { switchTo?: SecureMessaging }): Uint8Array {
    const out = old.protect(response);
    this.#sm = response.switchTo;
    return out;
  }

  #execute(command: Command, secured: boolean): Response & { switchTo?: SecureMessaging } {
    switch (command.ins) {
      case 0xa4:
        return this.#select(command, secured);
      case 0xb0:
      case 0xb1:
        return this.#readBinary(command, secured);
      case 0x84:
        return this.#access.getChallenge(command);
      case 0x82: {
        if (!this.#appSelected) return SW(0x6985);
        const { response, sm } = this.#access.externalAuthenticate(command);
        this.#sm = sm;
        return response;
      }
      case 0x22:
        if (command.p1 === 0xc1 && command.p2 === 0xa4) {
          if (this.#config.refusePace) return SW(this.#config.refusePace);
          return this.#access.setAuthenticationTemplate(command);
        }
        if (secured && command.p1 === 0x41) return this.#caSetup(command);
        return SW(0x6a86);
      case 0x86: {
        if (secured) return this.#caGeneralAuthenticate(command);
        const { response, sm } = this.#access.generalAuthenticate(command);
        if (sm) {
          this.#sm = sm;
          this.#appSelected = false;
        }
        return response;
      }
      case 0x88:
        if (!secured) return SW(0x6982);
        if (!this.#config.aa) return SW(0x6d00);
        if (!command.data?.length) return SW(0x6700);
        return SW(0x9000, signChallenge(this.#config.aa, command.data, this.#random));
      default:
        return SW(0x6d00);
    }
  }

  #select(command: Command, secured: boolean): Response {
    const data = command.data ?? new Uint8Array(0);
    if (command.p1 === 0x04) {
      if (!equal(data, EMRTD_AID)) return SW(0x6a82);
      this.#appSelected = true;
      this.#selected = undefined;
      return SW(0x9000);
    }
    if ((command.p1 === 0x02 || command.p1 === 0x00) && data.length === 2) {
      const fid = (data[0] << 8) | data[1];
      if (fid === 0x3f00) {
        this.#appSelected = false;
        this.#selected = undefined;
        return SW(0x9000);
      }
      if (fid === CARD_ACCESS_FID && this.#files.has(fid)) {
        this.#selected = fid;
        return SW(0x9000);
      }
      if (!this.#appSelected || !this.#files.has(fid)) return SW(0x6a82);
      if (!secured) return SW(0x6982);
      this.#selected = fid;
      return SW(0x9000);
    }
    return SW(0x6a86);
  }

  #readBinary(command: Command, secured: boolean): Response {
    let offset: number;
    let fid = this.#selected;
    if (command.ins === 0xb1) {
      const value = findTagSafe(command.data, 0x54);
      if (!value) return SW(0x6a80);
      offset = Number(toBigInt(value));
    } else if (command.p1 & 0x80) {
      fid = 0x0100 | (command.p1 & 0x1f);
      offset = command.p2;
      if ((fid === CARD_ACCESS_FID) === this.#appSelected && this.#config.applicationPreselected) {
        return SW(0x6a82);
      }
      if (fid !== CARD_ACCESS_FID && !this.#appSelected) return SW(0x6a82);
      if (!this.#files.has(fid)) return SW(0x6a82);
      this.#selected = fid;
    } else {
      offset = ((command.p1 & 0x7f) << 8) | command.p2;
    }
    if (fid === undefined) return SW(0x6986);
    if (fid !== CARD_ACCESS_FID && !secured) return SW(0x6982);
    const file = this.#files.get(fid)!;
    if (offset > file.length) return SW(0x6b00);
    const le = command.le ?? 256;
    if (command.ins === 0xb1) {
      const room = Math.max(0, le - 4);
      const data = file.subarray(offset, offset + room);
      this.lastRead = { file: this.#names.get(fid)!, offset, length: data.length };
      return SW(data.length < room ? 0x6282 : 0x9000, tlv(0x53, data));
    }
    const data = file.subarray(offset, offset + le);
    this.lastRead = { file: this.#names.get(fid)!, offset, length: data.length };
    return SW(data.length < le ? 0x6282 : 0x9000, data);
  }

  #caSetup(command: Command): Response & { switchTo?: SecureMessaging } {
    const ca = this.#config.ca;
    if (!ca) return SW(0x6a80);
    if (command.p2 === 0xa6) {
      const key = findTagSafe(command.data, 0x91);
      if (!key) return SW(0x6a80);
      return this.#caAgree(ca, key);
    }
    if (command.p2 === 0xa4) {
      if (!findTagSafe(command.data, 0x80)) return SW(0x6a80);
      this.#caAgreement = {};
      return SW(0x9000);
    }
    return SW(0x6a86);
  }

  #caGeneralAuthenticate(command: Command): Response & { switchTo?: SecureMessaging } {
    const ca = this.#config.ca;
    if (!ca || !this.#caAgreement) return SW(0x6985);
    this.#caAgreement = undefined;
    const outer = findTagSafe(command.data, 0x7c);
    const key = outer ? findTagSafe(outer, 0x80) : undefined;
    if (!key) return SW(0x6a80);
    const result = this.#caAgree(ca, key);
    return result.switchTo ? { ...result, data: tlv(0x7c, new Uint8Array(0)) } : result;
  }

  #caAgree(ca: CaPrivateKey, terminalKey: Uint8Array): Response & { switchTo?: SecureMessaging } {
    let secret: Uint8Array;
    try {
      secret = caSharedSecret(ca, terminalKey);
    } catch {
      return SW(0x6a80);
    }
    const switchTo = new SecureMessaging(
      ca.cipher,
      kdf(secret, 1, ca.cipher),
      kdf(secret, 2, ca.cipher),
    );
    // Signal #process to answer under the old keys and switch afterwards.
    this.#sm = undefined;
    return { data: new Uint8Array(0), sw: 0x9000, switchTo };
  }
}

function findTagSafe(data: Uint8Array | undefined, tag: number): Uint8Array | undefined {
  try {
    return data ? findTag(data, tag) : undefined;
  } catch {
    return undefined;
  }
}

function encode(response: Response): Uint8Array {
  return concat(response.data, Uint8Array.of(response.sw >> 8, response.sw & 0xff));
}

function breakMac(response: Uint8Array, mode: "missing" | "bad"): Uint8Array {
  const out = response.slice();
  if (mode === "bad") {
    out[out.length - 3] ^= 0x01;
    return out;
  }
  // Drop DO'8E' (the 10 bytes before SW1-SW2).
  return concat(out.subarray(0, out.length - 12), out.subarray(out.length - 2));
}
