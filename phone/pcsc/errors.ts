/**
 * The PC/SC transport's typed failures (docs/mobile-protocol.md, "PC/SC readers"): every return
 * code of `libpcsclite` a person can meet maps to a stable code and a sentence that says what to
 * do. A card that disappears mid-read maps to `tag_lost`, the reader core's code for the same
 * event on a phone, so the core's resume logic treats both alike.
 */
import { CodedError } from "../../verify/errors.ts";

/** Stable codes of {@link PcscError}. */
export type PcscErrorCode =
  | "pcsc_library_missing"
  | "pcsc_service_unavailable"
  | "pcsc_no_readers"
  | "pcsc_reader_not_found"
  | "pcsc_no_card"
  | "pcsc_reader_busy"
  | "pcsc_card_unsupported"
  | "tag_lost"
  | "timeout"
  | "pcsc_closed"
  | "pcsc_error";

/** A PC/SC failure: `code` is stable, the message says what to do and carries no card data. */
export class PcscError extends CodedError<PcscErrorCode> {
  /** The raw `SCARD_*` return code, when the failure came from the library. */
  readonly returnCode?: number;

  /** Creates the error; `returnCode` is the library's LONG as an unsigned 32-bit number. */
  constructor(code: PcscErrorCode, message: string, returnCode?: number) {
    super(code, message);
    this.returnCode = returnCode;
  }
}

/** `SCARD_*` return codes of pcsc-lite's `pcsclite.h` (unsigned 32-bit). */
export const SCARD = {
  S_SUCCESS: 0x00000000,
  F_INTERNAL_ERROR: 0x80100001,
  E_CANCELLED: 0x80100002,
  E_INVALID_HANDLE: 0x80100003,
  E_INVALID_PARAMETER: 0x80100004,
  E_NO_MEMORY: 0x80100006,
  E_INSUFFICIENT_BUFFER: 0x80100008,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_UNKNOWN_CARD: 0x8010000d,
  E_PROTO_MISMATCH: 0x8010000f,
  E_NOT_READY: 0x80100010,
  F_COMM_ERROR: 0x80100013,
  E_READER_UNAVAILABLE: 0x80100017,
  E_CARD_UNSUPPORTED: 0x8010001c,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  W_UNSUPPORTED_CARD: 0x80100065,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

const NAMES = new Map<number, string>(
  Object.entries(SCARD).map(([name, value]) => [value, `SCARD_${name}`]),
);

/** The symbolic name of a return code (`SCARD_E_NO_SERVICE`), or its hex form. */
export function scardName(rv: number): string {
  return NAMES.get(rv) ?? `0x${rv.toString(16).padStart(8, "0")}`;
}

/** Normalises a LONG from the library (64-bit, possibly sign-extended) to unsigned 32 bits. */
export function toReturnCode(rv: number | bigint): number {
  return Number(BigInt.asUintN(32, BigInt(rv)));
}

const SERVICE_HINT =
  "start the PC/SC daemon (Debian/Ubuntu: `apt-get install pcscd` then `systemctl start pcscd.socket`)";

/**
 * Maps a failed library call to a {@link PcscError}. `call` names the function (for the message);
 * `reader` is the reader involved, if any.
 */
export function pcscErrorFor(rv: number, call: string, reader?: string): PcscError {
  const where = reader ? ` on reader "${reader}"` : "";
  const raw = `${call}: ${scardName(rv)}`;
  switch (rv) {
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return new PcscError(
        "pcsc_service_unavailable",
        `the PC/SC service (pcscd) is not running: ${SERVICE_HINT} (${raw})`,
        rv,
      );
    case SCARD.E_NO_READERS_AVAILABLE:
      return new PcscError(
        "pcsc_no_readers",
        `no smart-card reader is connected: plug in a PC/SC (CCID) NFC reader and try again (${raw})`,
        rv,
      );
    case SCARD.E_UNKNOWN_READER:
    case SCARD.E_READER_UNAVAILABLE:
      return new PcscError(
        "pcsc_reader_not_found",
        `the reader${where} is gone: reconnect it, or list readers with --reader pcsc (${raw})`,
        rv,
      );
    case SCARD.E_NO_SMARTCARD:
      return new PcscError(
        "pcsc_no_card",
        `no document on the reader${where}: place the passport's photo page flat on the reader (${raw})`,
        rv,
      );
    case SCARD.E_SHARING_VIOLATION:
      return new PcscError(
        "pcsc_reader_busy",
        `another program holds the reader${where} exclusively: close it and try again (${raw})`,
        rv,
      );
    case SCARD.E_PROTO_MISMATCH:
    case SCARD.E_CARD_UNSUPPORTED:
    case SCARD.W_UNSUPPORTED_CARD:
    case SCARD.E_UNKNOWN_CARD:
      return new PcscError(
        "pcsc_card_unsupported",
        `the card${where} does not speak T=0 or T=1: is it an ePassport or an ID card with a chip? (${raw})`,
        rv,
      );
    case SCARD.W_REMOVED_CARD:
    case SCARD.W_RESET_CARD:
    case SCARD.W_UNPOWERED_CARD:
    case SCARD.W_UNRESPONSIVE_CARD:
    case SCARD.F_COMM_ERROR:
      return new PcscError(
        "tag_lost",
        `the document lost contact with the reader${where}: hold it still on the reader (${raw})`,
        rv,
      );
    case SCARD.E_TIMEOUT:
      return new PcscError(
        "timeout",
        `the reader${where} did not answer in time: replace the document and try again (${raw})`,
        rv,
      );
    case SCARD.E_INVALID_HANDLE:
      return new PcscError(
        "pcsc_closed",
        `the connection${where} is closed (${raw})`,
        rv,
      );
    default:
      return new PcscError("pcsc_error", `the PC/SC call failed${where} (${raw})`, rv);
  }
}
