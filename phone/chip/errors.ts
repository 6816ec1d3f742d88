/**
 * The reader core's one error type. Every failure a user can meet has a stable code and a
 * sentence a person can act on ({@link chipErrorMessage}); `detail` is for logs and carries no
 * personal data (no MRZ, no file contents, no keys).
 */

/** Stable failure codes of the reader core. */
export type ChipErrorCode =
  /** The chip refused the document number / dates (BAC or PACE with the MRZ). */
  | "mrz_key_rejected"
  /** The chip refused the CAN (PACE with the card access number). */
  | "can_rejected"
  /** The access key itself is malformed (e.g. a date that is not YYMMDD). */
  | "invalid_access_key"
  /** The chip left the field and could not be reached again. */
  | "tag_lost"
  /** The chip refused a command for lack of access rights (e.g. a file behind EAC). */
  | "access_denied"
  /** The chip speaks no protocol this reader supports (or needs the MRZ but got a CAN). */
  | "unsupported_chip"
  /** The chip did not answer in time. */
  | "timeout"
  /** A protected response was not protected, or its MAC did not verify. */
  | "secure_messaging_failed"
  /** A response could not be parsed. */
  | "malformed_response"
  /** The chip has no such file. */
  | "file_not_found"
  /** The chip answered an unexpected status word. */
  | "chip_error"
  /** The reader was used before `open`, or after Chip Authentication closed the session. */
  | "not_open";

const MESSAGES: Record<ChipErrorCode, string> = {
  mrz_key_rejected:
    "The chip did not accept the document number, date of birth or date of expiry. Check them against the printed page and try again.",
  can_rejected:
    "The chip did not accept the card access number. Check the six digits printed on the document and try again.",
  invalid_access_key:
    "The document number or a date is not in the expected format. Enter the document number as printed and the dates as YYMMDD.",
  tag_lost:
    "The connection to the chip was lost. Hold the document still against the reader and try again.",
  access_denied: "The chip refused access to this data. This document cannot be read this way.",
  unsupported_chip:
    "This chip uses a protocol this reader does not support. Try the document number and dates instead of the CAN, or another document.",
  timeout: "The chip stopped answering. Hold the document still against the reader and try again.",
  secure_messaging_failed:
    "The chip's answer could not be authenticated. Keep the document still on the reader and try again; if it persists, the chip may be faulty.",
  malformed_response:
    "The chip sent an answer that could not be understood. Try again; if it persists, the chip may be faulty.",
  file_not_found: "The chip does not hold this file.",
  chip_error: "The chip reported an error. Try again; if it persists, the chip may be faulty.",
  not_open: "The chip session is not open. Start reading the document again.",
};

/** An actionable sentence for a code. */
export function chipErrorMessage(code: ChipErrorCode): string {
  return MESSAGES[code];
}

/** A typed reader failure. */
export class ChipError extends Error {
  readonly code: ChipErrorCode;
  /** Technical detail for logs (never personal data). */
  readonly detail: string;
  /** The status word when the failure came from one. */
  readonly status?: number;

  constructor(code: ChipErrorCode, detail = "", status?: number) {
    super(`${code}: ${detail || chipErrorMessage(code)}`);
    this.name = "ChipError";
    this.code = code;
    this.detail = detail;
    this.status = status;
  }
}

/** Formats a status word as four hex digits. */
export function statusHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, "0");
}
