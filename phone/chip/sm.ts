/**
 * Secure messaging (ICAO 9303-11 §9.8, ISO/IEC 7816-4 §10): protects command APDUs with DO'87'
 * (even INS) or DO'85' (odd INS), DO'97' and DO'8E', and unwraps responses with DO'87'/'85',
 * DO'99' and DO'8E'. Every protected response's MAC is checked; a missing or wrong one is a
 * `secure_messaging_failed` {@link ChipError}. The same class serves the emulated chip.
 */
import { concat, encodeLength, equal, readAll, tlv } from "./bytes.ts";
import {
  aesBlock,
  aesCbc,
  blockSize,
  type Cipher,
  mac8,
  pad,
  retailMac,
  tripleDes,
  unpad,
} from "./crypto.ts";
import { ChipError, statusHex } from "./errors.ts";

/** A plain command before protection. */
export interface Command {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length; absent = none. 256 (short) / 65536 (extended) = "all". */
  le?: number;
}

/** A response: data and status word. */
export interface Response {
  data: Uint8Array;
  sw: number;
}

/** Encodes a plain command APDU, short or extended (ISO/IEC 7816-4 §5.1). */
export function encodeCommand(command: Command, extended = false): Uint8Array {
  const data = command.data ?? new Uint8Array(0);
  const header = Uint8Array.of(command.cla, command.ins, command.p1, command.p2);
  const ext = extended || data.length > 255 || (command.le ?? 0) > 256;
  const parts: Uint8Array[] = [header];
  if (ext) {
    if (data.length) parts.push(Uint8Array.of(0, data.length >> 8, data.length & 0xff), data);
    if (command.le !== undefined) {
      const le = command.le >= 65536 ? 0 : command.le;
      parts.push(
        data.length ? Uint8Array.of(le >> 8, le & 0xff) : Uint8Array.of(0, le >> 8, le & 0xff),
      );
    }
  } else {
    if (data.length) parts.push(Uint8Array.of(data.length), data);
    if (command.le !== undefined) parts.push(Uint8Array.of(command.le >= 256 ? 0 : command.le));
  }
  return concat(...parts);
}

/** Splits a response APDU into data and status word. */
export function decodeResponse(apdu: Uint8Array): Response {
  if (apdu.length < 2) throw new ChipError("malformed_response", "response shorter than SW1-SW2");
  return {
    data: apdu.subarray(0, apdu.length - 2),
    sw: (apdu[apdu.length - 2] << 8) | apdu[apdu.length - 1],
  };
}

/** Session keys and send sequence counter of one secure-messaging session. */
export class SecureMessaging {
  readonly cipher: Cipher;
  readonly #enc: Uint8Array;
  readonly #mac: Uint8Array;
  #ssc: Uint8Array;

  constructor(cipher: Cipher, encKey: Uint8Array, macKey: Uint8Array, ssc?: Uint8Array) {
    this.cipher = cipher;
    this.#enc = encKey;
    this.#mac = macKey;
    this.#ssc = ssc ? ssc.slice() : new Uint8Array(blockSize(cipher));
  }

  /** The current send sequence counter (a copy). */
  get ssc(): Uint8Array {
    return this.#ssc.slice();
  }

  #increment(): void {
    for (let i = this.#ssc.length - 1; i >= 0; i--) {
      this.#ssc[i] = (this.#ssc[i] + 1) & 0xff;
      if (this.#ssc[i] !== 0) break;
    }
  }

  #crypt(data: Uint8Array, type: "encrypt" | "decrypt"): Uint8Array {
    if (this.cipher === "3DES") return tripleDes(this.#enc, new Uint8Array(8), data, type);
    return aesCbc(this.#enc, aesBlock(this.#enc, this.#ssc), data, type);
  }

  #mac8(data: Uint8Array): Uint8Array {
    const padded = pad(concat(this.#ssc, data), blockSize(this.cipher));
    return this.cipher === "3DES"
      ? retailMac(this.#mac, padded)
      : mac8(this.cipher, this.#mac, padded);
  }

  /** Protects a command (increments the SSC). Extended when asked or when needed. */
  wrap(command: Command, extended = false): Uint8Array {
    this.#increment();
    const size = blockSize(this.cipher);
    const cla = command.cla | 0x0c;
    const header = Uint8Array.of(cla, command.ins, command.p1, command.p2);
    const objects: Uint8Array[] = [];
    if (command.data?.length) {
      const encrypted = this.#crypt(pad(command.data, size), "encrypt");
      objects.push(
        command.ins & 1 ? tlv(0x85, encrypted) : tlv(0x87, Uint8Array.of(1), encrypted),
      );
    }
    const longLe = command.le !== undefined && command.le > 256;
    const ext = extended || longLe;
    if (command.le !== undefined) {
      const le = command.le >= (ext ? 65536 : 256) ? 0 : command.le;
      objects.push(tlv(0x97, ext ? Uint8Array.of(le >> 8, le & 0xff) : Uint8Array.of(le)));
    }
    const covered = concat(...objects);
    const mac = this.#mac8(concat(pad(header, size), covered));
    const body = concat(covered, tlv(0x8e, mac));
    if (ext || body.length > 255) {
      return concat(
        header,
        Uint8Array.of(0, body.length >> 8, body.length & 0xff),
        body,
        Uint8Array.of(0, 0),
      );
    }
    return concat(header, Uint8Array.of(body.length), body, Uint8Array.of(0));
  }

  /**
   * Unwraps a protected response (increments the SSC). A bare error status (no data objects)
   * is returned as is, as chips send for e.g. "file not found"; a bare success status, a
   * missing DO'8E' or a wrong MAC is `secure_messaging_failed`, and so is 6987/6988 (the chip
   * reports broken secure messaging).
   */
  unwrap(apdu: Uint8Array): Response {
    this.#increment();
    const { data, sw } = decodeResponse(apdu);
    if (data.length === 0) {
      if (sw === 0x6987 || sw === 0x6988 || sw === 0x9000 || (sw >> 8) === 0x61) {
        throw new ChipError("secure_messaging_failed", `unprotected status ${statusHex(sw)}`, sw);
      }
      return { data, sw };
    }
    let objects;
    try {
      objects = readAll(data);
    } catch {
      throw new ChipError("secure_messaging_failed", "protected response is not TLV");
    }
    const macIndex = objects.findIndex((o) => o.tag === 0x8e);
    if (macIndex < 0 || macIndex !== objects.length - 1 || objects[macIndex].value.length !== 8) {
      throw new ChipError("secure_messaging_failed", "response MAC missing");
    }
    const covered = data.subarray(0, objects[macIndex].end - objects[macIndex].value.length - 2);
    if (!equal(this.#mac8(covered), objects[macIndex].value)) {
      throw new ChipError("secure_messaging_failed", "response MAC does not verify");
    }
    let plain: Uint8Array = new Uint8Array(0);
    let status: number | undefined;
    for (const object of objects.slice(0, macIndex)) {
      if (object.tag === 0x87 || object.tag === 0x85) {
        const cipherText = object.tag === 0x87 ? object.value.subarray(1) : object.value;
        if (
          (object.tag === 0x87 && object.value[0] !== 1) ||
          cipherText.length === 0 || cipherText.length % blockSize(this.cipher) !== 0
        ) {
          throw new ChipError("secure_messaging_failed", "bad encrypted data object");
        }
        // DO'85' (odd INS) has no padding-content indicator but is padded like DO'87'.
        const unpadded = unpad(this.#crypt(cipherText, "decrypt"));
        if (!unpadded) throw new ChipError("secure_messaging_failed", "bad padding");
        plain = unpadded;
      } else if (object.tag === 0x99) {
        if (object.value.length !== 2) throw new ChipError("secure_messaging_failed", "bad DO'99'");
        status = (object.value[0] << 8) | object.value[1];
      } else if (object.tag === 0x81) {
        plain = object.value.slice();
      }
    }
    if (status === undefined) throw new ChipError("secure_messaging_failed", "DO'99' missing");
    return { data: plain, sw: status };
  }

  /**
   * Chip side: verifies and opens a protected command (increments the SSC). Returns undefined
   * when it is not correctly protected (the chip then answers 6988 and drops the session).
   */
  open(apdu: Uint8Array): (Command & { extended: boolean }) | undefined {
    this.#increment();
    const parsed = parseApdu(apdu);
    if (!parsed || (parsed.cla & 0x0c) !== 0x0c) return undefined;
    let objects;
    try {
      objects = readAll(parsed.data ?? new Uint8Array(0));
    } catch {
      return undefined;
    }
    const last = objects[objects.length - 1];
    if (!last || last.tag !== 0x8e || last.value.length !== 8) return undefined;
    const size = blockSize(this.cipher);
    const header = Uint8Array.of(parsed.cla, parsed.ins, parsed.p1, parsed.p2);
    const covered = parsed.data!.subarray(0, last.end - 10);
    if (!equal(this.#mac8(concat(pad(header, size), covered)), last.value)) return undefined;
    const out: Command & { extended: boolean } = {
      cla: parsed.cla & ~0x0c,
      ins: parsed.ins,
      p1: parsed.p1,
      p2: parsed.p2,
      extended: parsed.extended,
    };
    for (const object of objects.slice(0, -1)) {
      if (object.tag === 0x87 || object.tag === 0x85) {
        const cipherText = object.tag === 0x87 ? object.value.subarray(1) : object.value;
        if (cipherText.length === 0 || cipherText.length % size !== 0) return undefined;
        const plain = this.#crypt(cipherText, "decrypt");
        const data = unpad(plain);
        if (!data) return undefined;
        out.data = data;
      } else if (object.tag === 0x97) {
        const v = object.value;
        out.le = v.length === 1 ? (v[0] || 256) : ((v[0] << 8) | v[1]) || 65536;
      }
    }
    return out;
  }

  /** Chip side: protects a response (increments the SSC). */
  protect(response: Response, oddIns = false): Uint8Array {
    this.#increment();
    const status = Uint8Array.of(response.sw >> 8, response.sw & 0xff);
    const objects: Uint8Array[] = [];
    if (response.data.length) {
      if (oddIns) {
        objects.push(tlv(0x85, this.#crypt(pad(response.data, blockSize(this.cipher)), "encrypt")));
      } else {
        const encrypted = this.#crypt(pad(response.data, blockSize(this.cipher)), "encrypt");
        objects.push(tlv(0x87, Uint8Array.of(1), encrypted));
      }
    }
    objects.push(tlv(0x99, status));
    const covered = concat(...objects);
    return concat(covered, tlv(0x8e, this.#mac8(covered)), status);
  }
}

/** A parsed command APDU (any case, short or extended); undefined when inconsistent. */
export function parseApdu(
  apdu: Uint8Array,
): (Command & { extended: boolean }) | undefined {
  if (apdu.length < 4) return undefined;
  const [cla, ins, p1, p2] = apdu;
  const base = { cla, ins, p1, p2 };
  const rest = apdu.subarray(4);
  if (rest.length === 0) return { ...base, extended: false };
  if (rest.length === 1) return { ...base, le: rest[0] || 256, extended: false };
  if (rest[0] !== 0) {
    const lc = rest[0];
    if (rest.length === 1 + lc) return { ...base, data: rest.subarray(1, 1 + lc), extended: false };
    if (rest.length === 2 + lc) {
      return { ...base, data: rest.subarray(1, 1 + lc), le: rest[1 + lc] || 256, extended: false };
    }
    return undefined;
  }
  if (rest.length === 3) {
    return { ...base, le: ((rest[1] << 8) | rest[2]) || 65536, extended: true };
  }
  const lc = (rest[1] << 8) | rest[2];
  if (lc === 0) return undefined;
  if (rest.length === 3 + lc) return { ...base, data: rest.subarray(3, 3 + lc), extended: true };
  if (rest.length === 5 + lc) {
    const le = ((rest[3 + lc] << 8) | rest[4 + lc]) || 65536;
    return { ...base, data: rest.subarray(3, 3 + lc), le, extended: true };
  }
  return undefined;
}

export { encodeLength };
