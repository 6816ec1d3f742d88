/**
 * The eMRTD reader core (ICAO 9303-10/-11): access control (PACE-GM, falling back to BAC),
 * secure messaging, file reading with resume after a lost tag, Active Authentication and the
 * Chip Authentication relay of `docs/chip-authentication-relay.md`, over one
 * {@link ChipTransport}. Portable: standard JavaScript and @noble/*, des.js only.
 */
import {
  concat,
  concatParts,
  fromBase64,
  oidBytes,
  readHeader,
  readTlv,
  tlv,
  toBase64,
} from "./bytes.ts";
import { choosePace, parseCardAccess } from "./card_access.ts";
import type { Random } from "./domain.ts";
import { ChipError, statusHex } from "./errors.ts";
import { type ChipFileName, type ChipFiles, FILES, listedInCom } from "./files.ts";
import { type AccessKey, validateAccessKey } from "./keys.ts";
import { performBac } from "./bac.ts";
import { PaceUnavailable, performPace } from "./pace.ts";
import {
  type Command,
  decodeResponse,
  encodeCommand,
  type Response,
  type SecureMessaging,
} from "./sm.ts";

import { expectCa, minimalUnsigned, offsetBytes, selectAid, withTimeout } from "./commands.ts";
import type {
  ChipAuthenticationRelayObject,
  ChipAuthenticationStart,
  ChipReaderOptions,
  ChipTransport,
  OpenResult,
  TransportStats,
} from "./types.ts";

export type {
  ChipAuthenticationRelayObject,
  ChipAuthenticationStart,
  ChipReaderOptions,
  ChipTransport,
  OpenResult,
  ReadProgress,
  TransportStats,
} from "./types.ts";

/** Plaintext per short protected READ BINARY: 223 bytes keep the protected response ≤ 256. */
const SHORT_READ = 0xdf;
/** No eMRTD file the reader reads comes near this (DG2 portraits are tens of kilobytes). */
const MAX_FILE_BYTES = 1 << 20;
/** How long a `reconnect()` may take before the recovery counts as failed. */
const RECONNECT_TIMEOUT_MS = 30_000;
/** The largest EF.CardAccess read: offsets of READ BINARY (B0) stay below 32 KiB. */
const MAX_CARD_ACCESS_BYTES = 0x7fff;
const RETRYABLE = new Set(["tag_lost", "timeout"]);
const EXTENDED_REFUSED = new Set([0x6700, 0x6d00, 0x6e00, 0x6a86, 0x6f00, 0x6a80]);

function defaultRandom(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** Internal: the chip refused an extended APDU; read short from now on. */
class ExtendedRefused extends Error {}

/** Reads one eMRTD chip. Not re-entrant: await each call before the next. */
export class ChipReader {
  readonly #transport: ChipTransport;
  readonly #options: ChipReaderOptions;
  readonly #random: Random;
  readonly #log: (line: string) => void;
  #key: AccessKey | undefined;
  #sm: SecureMessaging | undefined;
  #cardAccess: Uint8Array | null | undefined;
  #extended: boolean | undefined;
  #recoveriesLeft: number;
  #opened: OpenResult | undefined;
  /** What crossed the transport so far. */
  readonly stats: TransportStats = { apdus: 0, bytesSent: 0, bytesReceived: 0 };

  constructor(transport: ChipTransport, options: ChipReaderOptions = {}) {
    this.#transport = transport;
    this.#options = options;
    this.#random = options.random ?? defaultRandom;
    this.#log = options.log ?? (() => {});
    this.#extended = options.preferExtendedLength === false ? false : undefined;
    this.#recoveriesLeft = options.maxRecoveries ?? 3;
  }

  /** Runs access control (PACE, else BAC) and selects the eMRTD application. */
  async open(key: AccessKey): Promise<OpenResult> {
    validateAccessKey(key);
    this.#key = key;
    return await this.#withRecovery(() => this.#establish(), false);
  }

  async #establish(): Promise<OpenResult> {
    const key = this.#key;
    if (!key) throw new ChipError("not_open", "open() was not called");
    this.#sm = undefined;
    if (this.#cardAccess === undefined) this.#cardAccess = await this.#readCardAccess();
    const access = this.#cardAccess ? parseCardAccess(this.#cardAccess) : undefined;
    const choice = access ? choosePace(access) : undefined;
    const plain = (command: Command) => this.#plain(command);
    if (choice) {
      try {
        this.#sm = await performPace({
          send: plain,
          key,
          info: choice.info,
          domain: choice.domain,
          random: this.#random,
          sendParameterId: access!.pace.length > 1,
          log: this.#log,
        });
        const select = await this.#secure(selectAid());
        if (select.sw !== 0x9000) {
          throw new ChipError("unsupported_chip", `no eMRTD application (${statusHex(select.sw)})`);
        }
        const mapping = choice.info.mapping as "GM" | "IM";
        this.#opened = { protocol: "PACE", cipher: choice.info.cipher, mapping };
        return this.#opened;
      } catch (error) {
        if (!(error instanceof PaceUnavailable)) throw error;
        this.#log(`PACE refused (${statusHex(error.status)}); trying BAC`);
      }
    }
    if (key.kind === "can") {
      throw new ChipError("unsupported_chip", "no usable PACE; the CAN needs PACE");
    }
    const select = await this.#plain(selectAid());
    if (select.sw !== 0x9000) {
      throw new ChipError("unsupported_chip", `no eMRTD application (${statusHex(select.sw)})`);
    }
    this.#sm = await performBac(plain, key, this.#random, this.#log);
    this.#opened = { protocol: "BAC", cipher: "3DES" };
    return this.#opened;
  }

  /** EF.CardAccess by short file identifier, in the clear; null when the chip has none. */
  async #readCardAccess(): Promise<Uint8Array | null> {
    const read = () => this.#plain({ cla: 0, ins: 0xb0, p1: 0x9c, p2: 0, le: 256 });
    let first = await read();
    if (first.sw !== 0x9000 && first.sw !== 0x6282) {
      // EF.CardAccess lives in the master file; where the platform pre-selected the eMRTD
      // application (iOS), select the MF and try once more.
      const mf = await this.#plain({
        cla: 0,
        ins: 0xa4,
        p1: 0,
        p2: 0x0c,
        data: Uint8Array.of(0x3f, 0),
      });
      if (mf.sw !== 0x9000) return null;
      first = await read();
    }
    if (first.sw !== 0x9000 && first.sw !== 0x6282) return null;
    if (first.data.length === 0) return null;
    let total: number;
    try {
      const header = readHeader(first.data);
      total = header.valueStart + header.length;
    } catch {
      return null;
    }
    // EF.CardAccess holds a few hundred bytes; READ BINARY (B0) reaches offsets below 32 KiB.
    if (total > MAX_CARD_ACCESS_BYTES) return null;
    const parts: Uint8Array[] = [first.data.slice(0, total)];
    let got = parts[0].length;
    while (got < total) {
      const le = Math.min(256, total - got);
      const next = await this.#plain({ cla: 0, ins: 0xb0, p1: got >> 8, p2: got & 0xff, le });
      if ((next.sw !== 0x9000 && next.sw !== 0x6282) || next.data.length === 0) return null;
      if (next.data.length > le) return null;
      parts.push(next.data);
      got += next.data.length;
    }
    return concatParts(parts);
  }

  async #transceive(apdu: Uint8Array): Promise<Uint8Array> {
    this.stats.apdus++;
    this.stats.bytesSent += apdu.length;
    let response: Uint8Array;
    try {
      const pending = this.#transport.transceive(apdu);
      response = this.#options.apduTimeoutMs === undefined
        ? await pending
        : await withTimeout(pending, this.#options.apduTimeoutMs);
    } catch (error) {
      this.#sm = undefined;
      if (error instanceof ChipError) throw error;
      throw new ChipError("tag_lost", `transport failed (${(error as Error)?.name ?? "error"})`);
    }
    if (!(response instanceof Uint8Array) || response.length < 2) {
      throw new ChipError("malformed_response", "response shorter than SW1-SW2");
    }
    this.stats.bytesReceived += response.length;
    return response;
  }

  async #plain(command: Command, extended = false): Promise<Response> {
    return decodeResponse(await this.#transceive(encodeCommand(command, extended)));
  }

  async #secure(command: Command, extended = false): Promise<Response> {
    const sm = this.#sm;
    if (!sm) throw new ChipError("not_open", "no secure messaging session");
    const response = await this.#transceive(sm.wrap(command, extended));
    try {
      return sm.unwrap(response);
    } catch (error) {
      this.#sm = undefined;
      throw error;
    }
  }

  /** Runs `action`, re-establishing access after a lost tag or timeout (bounded). */
  async #withRecovery<T>(action: () => Promise<T>, reestablish = true): Promise<T> {
    for (;;) {
      try {
        return await action();
      } catch (error) {
        if (!(error instanceof ChipError) || !RETRYABLE.has(error.code)) throw error;
        if (this.#recoveriesLeft <= 0 || !this.#key) throw error;
        this.#recoveriesLeft--;
        this.#log(`${error.code}; re-establishing access (${this.#recoveriesLeft} left)`);
        this.#sm = undefined;
        if (this.#transport.reconnect) {
          try {
            // Bounded: a platform whose reconnect never settles must not hang the reading.
            await withTimeout(
              this.#transport.reconnect(),
              this.#options.reconnectTimeoutMs ?? RECONNECT_TIMEOUT_MS,
            );
          } catch (reconnectError) {
            if (reconnectError instanceof ChipError) throw reconnectError;
            throw new ChipError("tag_lost", "reconnect failed");
          }
        }
        if (reestablish) await this.#establish();
      }
    }
  }

  #requireOpen(): void {
    if (!this.#sm || !this.#opened) throw new ChipError("not_open", "the chip session is not open");
  }

  /** Reads a file; null when the chip has no such file. */
  async readFile(name: ChipFileName): Promise<Uint8Array | null> {
    if (!Object.prototype.hasOwnProperty.call(FILES, name)) {
      throw new ChipError("file_not_found", "unknown file name");
    }
    if (name === "cardAccess") return this.#cardAccess ?? null;
    this.#requireOpen();
    const state = { parts: [] as Uint8Array[], offset: 0, total: -1 };
    return await this.#withRecovery(async () => {
      for (;;) {
        try {
          return await this.#readEf(name, state);
        } catch (error) {
          if (!(error instanceof ExtendedRefused)) throw error;
          this.#extended = false;
          this.#log("extended length refused; reading with short APDUs");
          await this.#establish();
        }
      }
    });
  }

  async #readEf(
    name: ChipFileName,
    state: { parts: Uint8Array[]; offset: number; total: number },
  ): Promise<Uint8Array | null> {
    const fid = FILES[name].fid;
    const select = await this.#secure({
      cla: 0,
      ins: 0xa4,
      p1: 0x02,
      p2: 0x0c,
      data: Uint8Array.of(fid >> 8, fid & 0xff),
    });
    if (select.sw === 0x6a82) return null;
    if (select.sw === 0x6982) throw new ChipError("access_denied", `${name} needs more rights`);
    if (select.sw !== 0x9000) {
      throw new ChipError("chip_error", `SELECT ${name}: ${statusHex(select.sw)}`, select.sw);
    }
    while (state.total < 0 || state.offset < state.total) {
      const extended = this.#extended !== false && this.#options.preferExtendedLength !== false;
      const chunk = extended ? (this.#options.extendedReadLength ?? 4096) : SHORT_READ;
      const want = state.total < 0 ? chunk : Math.min(chunk, state.total - state.offset);
      const data = await this.#readBinary(state.offset, want, extended);
      if (data === undefined) break;
      state.parts.push(data);
      state.offset += data.length;
      if (state.total < 0) {
        const header = readHeader(concatParts(state.parts));
        state.total = header.valueStart + header.length;
        if (state.total > MAX_FILE_BYTES) {
          throw new ChipError("malformed_response", `${name} declares ${state.total} bytes`);
        }
      }
      this.#options.onProgress?.({
        file: name,
        bytesRead: Math.min(state.offset, state.total),
        totalBytes: state.total,
      });
    }
    // A file whose first read returned nothing has no header: no length, no content — not an
    // empty file to pass on.
    if (state.total < 0) throw new ChipError("malformed_response", `${name} returned no data`);
    const bytes = concatParts(state.parts);
    if (bytes.length < state.total) {
      throw new ChipError("malformed_response", `${name} ended before its declared length`);
    }
    this.#log(`read ${name}: ${state.total} bytes`);
    return bytes.slice(0, state.total);
  }

  /** One READ BINARY (B0, or B1 with DO'54' past offset 32767); undefined at end of file. */
  async #readBinary(
    offset: number,
    length: number,
    extended: boolean,
  ): Promise<Uint8Array | undefined> {
    let le = length;
    for (let attempt = 0; attempt < 3; attempt++) {
      const odd = offset > 0x7fff;
      const command: Command = odd
        ? {
          cla: 0,
          ins: 0xb1,
          p1: 0,
          p2: 0,
          data: tlv(0x54, offsetBytes(offset)),
          le: extended ? le + 4 : Math.min(256, le + 4),
        }
        : { cla: 0, ins: 0xb0, p1: offset >> 8, p2: offset & 0xff, le };
      const response = await this.#secure(command, extended);
      const { sw } = response;
      if (extended && this.#extended === undefined) {
        if (EXTENDED_REFUSED.has(sw)) throw new ExtendedRefused();
        if (sw === 0x9000 || sw === 0x6282) this.#extended = true;
      }
      if ((sw >> 8) === 0x6c) {
        le = (sw & 0xff) || 256;
        continue;
      }
      if (sw === 0x6b00) return undefined;
      if (sw === 0x6982) throw new ChipError("access_denied", "READ BINARY refused", sw);
      if (sw !== 0x9000 && sw !== 0x6282) {
        throw new ChipError("chip_error", `READ BINARY: ${statusHex(sw)}`, sw);
      }
      let data = response.data;
      if (odd) {
        const object = readTlv(data);
        if (object.tag !== 0x53) throw new ChipError("malformed_response", "DO'53' missing");
        data = object.value;
      }
      if (data.length === 0) return undefined;
      // More than asked for would be stitched in at the wrong offset.
      if (data.length > le) {
        throw new ChipError("malformed_response", `READ BINARY answered ${data.length} of ${le}`);
      }
      return data;
    }
    throw new ChipError("chip_error", "READ BINARY length negotiation failed");
  }

  /** Reads COM, SOD, DG1, DG2, DG11/DG12 when listed, DG14 and DG15 (and EF.CardAccess). */
  async readPassport(): Promise<ChipFiles> {
    this.#requireOpen();
    const files: ChipFiles = {};
    if (this.#cardAccess) files.cardAccess = this.#cardAccess;
    const com = await this.readFile("com");
    if (com) files.com = com;
    const listed = com ? listedInCom(com) : undefined;
    for (const name of ["sod", "dg1", "dg2", "dg11", "dg12", "dg14", "dg15"] as const) {
      // EF.SOD, DG1 and DG2 are mandatory; the others only when EF.COM lists them (or is absent).
      const mandatory = name === "sod" || name === "dg1" || name === "dg2";
      if (listed && !mandatory && !listed.has(name)) continue;
      const bytes = await this.readFile(name);
      if (bytes) files[name] = bytes;
    }
    return files;
  }

  /** INTERNAL AUTHENTICATE with the server's challenge; resolves with the signature. */
  async activeAuthentication(challenge: Uint8Array): Promise<Uint8Array> {
    this.#requireOpen();
    if (!(challenge instanceof Uint8Array) || challenge.length !== 8) {
      throw new ChipError("malformed_response", "the AA challenge must be 8 bytes");
    }
    return await this.#withRecovery(async () => {
      const extended = this.#extended === true;
      const response = await this.#secure(
        { cla: 0, ins: 0x88, p1: 0, p2: 0, data: challenge, le: extended ? 65536 : 256 },
        extended,
      );
      if (response.sw === 0x6982) throw new ChipError("access_denied", "AA refused", response.sw);
      if (response.sw !== 0x9000 || response.data.length === 0) {
        throw new ChipError("unsupported_chip", `AA: ${statusHex(response.sw)}`, response.sw);
      }
      return response.data.slice();
    });
  }

  /**
   * Chip Authentication with the server's terminal key, then the server's protected command
   * (docs/chip-authentication-relay.md). Closes the session: the chip now uses keys only the
   * server knows, so call this last.
   */
  async chipAuthentication(start: ChipAuthenticationStart): Promise<ChipAuthenticationRelayObject> {
    this.#requireOpen();
    const terminalKey = typeof start?.terminal_public_key === "string"
      ? fromBase64(start.terminal_public_key)
      : undefined;
    const command = typeof start?.command === "string" ? fromBase64(start.command) : undefined;
    const oid = start?.protocol_oid;
    if (
      !terminalKey?.length || !command?.length || typeof oid !== "string" ||
      !/^[0-2](\.\d+)+$/.test(oid)
    ) {
      throw new ChipError("malformed_response", "the chip_authentication start object is invalid");
    }
    const keyId = Number.isInteger(start.key_id) && start.key_id! >= 0 ? start.key_id : undefined;
    const keyRef = keyId === undefined ? new Uint8Array(0) : tlv(0x84, minimalUnsigned(keyId));
    const tripleDes = oid.endsWith(".1");
    const response = await this.#withRecovery(async () => {
      if (tripleDes) {
        const mse = await this.#secure({
          cla: 0,
          ins: 0x22,
          p1: 0x41,
          p2: 0xa6,
          data: concat(tlv(0x91, terminalKey), keyRef),
        });
        expectCa(mse, "MSE:Set KAT");
      } else {
        const mse = await this.#secure({
          cla: 0,
          ins: 0x22,
          p1: 0x41,
          p2: 0xa4,
          data: concat(tlv(0x80, oidBytes(oid)), keyRef),
        });
        expectCa(mse, "MSE:Set AT");
        const ga = await this.#secure({
          cla: 0,
          ins: 0x86,
          p1: 0,
          p2: 0,
          data: tlv(0x7c, tlv(0x80, terminalKey)),
          le: terminalKey.length > 200 ? 65536 : 256,
        });
        expectCa(ga, "General Authenticate");
      }
      this.#sm = undefined;
      return await this.#transceive(command);
    });
    this.#opened = undefined;
    this.#log("chip authentication relayed");
    return {
      v: 1,
      protocol_oid: oid,
      ...(keyId === undefined ? {} : { key_id: keyId }),
      command: toBase64(command),
      response: toBase64(response),
    };
  }
}

/** Opens the chip and reads the passport's files. */
export async function readPassport(
  transport: ChipTransport,
  key: AccessKey,
  options?: ChipReaderOptions,
): Promise<ChipFiles> {
  const reader = new ChipReader(transport, options);
  await reader.open(key);
  return await reader.readPassport();
}
