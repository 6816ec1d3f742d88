/**
 * The reader core's public types: the transport it talks through, its options, and the objects
 * it exchanges with the server's Chip Authentication (docs/chip-authentication-relay.md).
 */
import type { ChipFileName } from "./files.ts";
import type { Cipher } from "./crypto.ts";

/** Sends a command APDU to the chip and resolves with the response APDU (data ‖ SW1 SW2). */
export interface ChipTransport {
  transceive(command: Uint8Array): Promise<Uint8Array>;
  /** Reconnects after the tag was lost (the chip has reset: no secure messaging, no selection). */
  reconnect?(): Promise<void>;
}

/** A progress event: bytes of a file read so far. */
export interface ReadProgress {
  file: ChipFileName;
  bytesRead: number;
  totalBytes: number;
}

/** Options of {@link ChipReader}. */
export interface ChipReaderOptions {
  onProgress?(progress: ReadProgress): void;
  /** Progress lines without personal data. */
  log?(line: string): void;
  /** Random bytes (default `crypto.getRandomValues`). */
  random?(length: number): Uint8Array;
  /** Read with extended-length APDUs when the chip accepts them (default true). */
  preferExtendedLength?: boolean;
  /** Plaintext bytes per extended READ BINARY (default 4096). */
  extendedReadLength?: number;
  /** Re-establish access after a lost tag or timeout at most this many times (default 3). */
  maxRecoveries?: number;
  /** Fail an APDU not answered within this many milliseconds (default: the transport's own). */
  apduTimeoutMs?: number;
  /** Give up on a `reconnect()` that has not settled after this many milliseconds (30 000). */
  reconnectTimeoutMs?: number;
}

/** What `open` established. */
export interface OpenResult {
  protocol: "PACE" | "BAC";
  cipher: Cipher;
  mapping?: "GM" | "IM";
}

/** The server's Chip Authentication start object (docs/chip-authentication-relay.md). */
export interface ChipAuthenticationStart {
  protocol_oid: string;
  key_id?: number;
  cipher?: string;
  terminal_public_key: string;
  command: string;
}

/** The relay object the phone sends back (docs/chip-authentication-relay.md). */
export interface ChipAuthenticationRelayObject {
  v: 1;
  protocol_oid: string;
  key_id?: number;
  command: string;
  response: string;
}

/** Counters of what crossed the transport. */
export interface TransportStats {
  apdus: number;
  bytesSent: number;
  bytesReceived: number;
}
