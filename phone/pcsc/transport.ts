/**
 * The PC/SC transport of the reader core: a USB (CCID) NFC reader seen through pcscd, as a
 * `ChipTransport` (`transceive(command) → response`, `reconnect()`), see docs/mobile-protocol.md
 * "PC/SC readers". Reader selection: `pcsc` takes the first reader with a card on it,
 * `pcsc:<text>` the first reader whose name contains `<text>` (case-insensitive).
 */
import { ChipError, type ChipTransport } from "../chip/mod.ts";
import { PcscError, SCARD, toReturnCode } from "./errors.ts";
import {
  check,
  cString,
  ioRequest,
  LEAVE_CARD,
  loadPcscLibrary,
  MAX_RESPONSE_BYTES,
  parseMultiString,
  type PcscAbi,
  type PcscHandle,
  type PcscLibrary,
  PROTOCOL_T0,
  PROTOCOL_T1,
  readerEventState,
  readerStateRequest,
  readWord,
  RESET_CARD,
  SCOPE_SYSTEM,
  SHARE_SHARED,
  STATE_EMPTY,
  STATE_MUTE,
  STATE_PRESENT,
  writeWord,
} from "./ffi.ts";

/** Options of {@link openPcscReader}. */
export interface PcscReaderOptions {
  /** The library path (default: the platform's, see ffi.ts). */
  libraryPath?: string;
  /** How long to wait for a document to be placed on the reader (default 0: fail at once). */
  waitForCardMs?: number;
  /** Called once while waiting for a card (a prompt for the user). */
  onWaiting?: (reader: string | undefined) => void;
  /** Injected pause between polls (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** How long `reconnect()` waits for the document to come back (default 10 s). */
  reconnectWaitMs?: number;
  /** Called when a reconnect finds the reader empty (a prompt to put the document back). */
  onCardAway?: () => void;
}

/** The reader part of a `--reader` value: `pcsc` → any reader, `pcsc:<text>` → a name filter. */
export function parseReaderSpec(spec: string): { nameContains?: string } {
  if (spec === "pcsc") return {};
  if (spec.startsWith("pcsc:") && spec.length > 5) return { nameContains: spec.slice(5) };
  throw new PcscError(
    "pcsc_reader_not_found",
    `--reader ${spec}: expected pcsc (the first reader with a document) or pcsc:<part of the reader's name>`,
  );
}

const POLL_MS = 200;
/**
 * Polls a card may stay present but mute (pcscd's own power-up of it failed: a bad contact, a
 * slow card, a busy machine) before the transport powers it up itself with a reset: 1 s.
 */
export const MUTE_POLLS_BEFORE_RESET = 5;
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An established PC/SC context: lists readers and connects to them. */
export class PcscContext {
  readonly #lib: PcscLibrary;
  readonly #abi: PcscAbi;
  readonly #closeLibrary: () => void;
  #context: PcscHandle | undefined;

  private constructor(loaded: ReturnType<typeof loadPcscLibrary>, context: PcscHandle) {
    this.#lib = loaded.lib;
    this.#abi = loaded.abi;
    this.#closeLibrary = loaded.close;
    this.#context = context;
  }

  /** Loads the library and establishes a system-scope context (fails without pcscd). */
  static establish(libraryPath?: string): PcscContext {
    const loaded = loadPcscLibrary(libraryPath);
    const out = new Uint8Array(8);
    try {
      check(
        loaded.lib.SCardEstablishContext(SCOPE_SYSTEM, null, null, out),
        "SCardEstablishContext",
      );
    } catch (error) {
      loaded.close();
      throw error;
    }
    return new PcscContext(loaded, readWord(out, loaded.abi.word));
  }

  #handle(): PcscHandle {
    if (this.#context === undefined) throw new PcscError("pcsc_closed", "the context is closed");
    return this.#context;
  }

  /** The names of the connected readers (throws `pcsc_no_readers` when there are none). */
  listReaders(): string[] {
    const word = this.#abi.word;
    const size = new Uint8Array(8);
    check(this.#lib.SCardListReaders(this.#handle(), null, null, size), "SCardListReaders");
    const names = new Uint8Array(Number(readWord(size, word)));
    writeWord(size, word, names.length);
    check(this.#lib.SCardListReaders(this.#handle(), null, names, size), "SCardListReaders");
    return parseMultiString(names.subarray(0, Number(readWord(size, word))));
  }

  /** Connects to the card on `reader` (shared, T=0 or T=1). */
  async connect(reader: string, options: PcscTransportOptions = {}): Promise<PcscTransport> {
    const { card, protocol } = await this.connectHandle(reader);
    return new PcscTransport(this, reader, card, protocol, options);
  }

  /** `SCardConnect`: a card handle and the active protocol (a `DWORD` buffer). */
  async connectHandle(reader: string): Promise<{ card: PcscHandle; protocol: Uint8Array }> {
    const card = new Uint8Array(8);
    const protocol = new Uint8Array(8);
    const rv = await this.#lib.SCardConnect(
      this.#handle(),
      cString(reader),
      SHARE_SHARED,
      PROTOCOL_T0 | PROTOCOL_T1,
      card,
      protocol,
    );
    check(rv, "SCardConnect", reader);
    return { card: readWord(card, this.#abi.word), protocol };
  }

  /**
   * The reader's state as pcscd's event thread last saw it (`SCardGetStatusChange` without
   * waiting): `SCARD_STATE_*` bits, e.g. EMPTY or PRESENT.
   */
  readerState(reader: string): number {
    const name = cString(reader);
    const state = readerStateRequest(name, this.#abi.word);
    const rv = this.#lib.SCardGetStatusChange(this.#handle(), 0, state, 1);
    check(rv, "SCardGetStatusChange", reader);
    return readerEventState(state, this.#abi.word);
  }

  /** The loaded library and its ABI, for the transports of this context. */
  get library(): { lib: PcscLibrary; word: 4 | 8 } {
    this.#handle();
    return { lib: this.#lib, word: this.#abi.word };
  }

  /** Releases the context and unloads the library. */
  close(): void {
    if (this.#context === undefined) return;
    this.#lib.SCardReleaseContext(this.#context);
    this.#context = undefined;
    this.#closeLibrary();
  }
}

/** Options of a {@link PcscTransport}. */
export interface PcscTransportOptions {
  /** Release the context on `close()` (the transport owns it). */
  ownsContext?: boolean;
  /** How long `reconnect()` waits for the document to be back on the reader (default 10 s). */
  reconnectWaitMs?: number;
  /** Injected pause between polls (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Called once per reconnect when the reader is seen empty (a prompt to put the document back). */
  onCardAway?: () => void;
}

/**
 * A failure while a chip session runs, in the reader core's terms: a card that left the field
 * (removed, reset, no longer answering) is the core's `tag_lost`, which reconnects and resumes;
 * a reader timeout is its `timeout`. A stopped service or a closed handle stays a PcscError.
 */
function inSession(error: unknown): unknown {
  if (!(error instanceof PcscError)) return error;
  if (error.code === "pcsc_service_unavailable" || error.code === "pcsc_closed") return error;
  const code = error.code === "timeout" ? "timeout" : "tag_lost";
  return new ChipError(code, error.message.slice(error.code.length + 2));
}

/** One connection to a card: the reader core's transport. */
export class PcscTransport implements ChipTransport {
  readonly reader: string;
  readonly #context: PcscContext;
  readonly #lib: PcscLibrary;
  readonly #word: 4 | 8;
  readonly #options: PcscTransportOptions;
  #protocol: Uint8Array;
  #card: PcscHandle | undefined;
  #response = new Uint8Array(MAX_RESPONSE_BYTES);
  /** The number of APDUs exchanged (GET RESPONSE included). */
  apdus = 0;

  /** Wraps a connected card handle; use {@link PcscContext.connect} or {@link openPcscReader}. */
  constructor(
    context: PcscContext,
    reader: string,
    card: PcscHandle,
    protocol: Uint8Array,
    options: PcscTransportOptions = {},
  ) {
    const { lib, word } = context.library;
    this.#context = context;
    this.#lib = lib;
    this.#word = word;
    this.reader = reader;
    this.#card = card;
    this.#protocol = protocol;
    this.#options = options;
  }

  /** The active protocol: `T=0` or `T=1`. */
  get protocol(): "T=0" | "T=1" {
    return Number(readWord(this.#protocol, this.#word)) === PROTOCOL_T0 ? "T=0" : "T=1";
  }

  #handle(): PcscHandle {
    if (this.#card === undefined) {
      throw new PcscError("pcsc_closed", `the connection to "${this.reader}" is closed`);
    }
    return this.#card;
  }

  async #transmitOnce(command: Uint8Array): Promise<Uint8Array> {
    const word = this.#word;
    const length = new Uint8Array(8);
    writeWord(length, word, this.#response.length);
    const send = new Uint8Array(command);
    const rv = await this.#lib.SCardTransmit(
      this.#handle(),
      ioRequest(Number(readWord(this.#protocol, word)), word),
      send,
      send.length,
      null,
      this.#response,
      length,
    );
    this.apdus++;
    try {
      check(rv, "SCardTransmit", this.reader);
    } catch (error) {
      throw inSession(error);
    }
    return this.#response.slice(0, Number(readWord(length, word)));
  }

  /**
   * Sends a command APDU (short or extended) and returns the response with its status word.
   * `61xx` (more data, mostly T=0) is collected with GET RESPONSE; everything else, `6Cxx`
   * included, is the caller's to interpret.
   */
  async transceive(command: Uint8Array): Promise<Uint8Array> {
    if (command.length < 4 || command.length > 4 + 3 + 65536 + 3) {
      throw new PcscError("pcsc_error", `command APDU of ${command.length} bytes is not valid`);
    }
    let response = await this.#transmitOnce(command);
    const parts: Uint8Array[] = [];
    for (let round = 0; round < 256 && isMoreData(response); round++) {
      parts.push(response.subarray(0, response.length - 2));
      const le = response[response.length - 1];
      response = await this.#transmitOnce(Uint8Array.of(command[0] & 0x03, 0xc0, 0, 0, le));
    }
    if (parts.length === 0) return response;
    parts.push(response);
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    const joined = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) joined.set(part, (offset += part.length) - part.length);
    return joined;
  }

  /**
   * Re-powers the card after `tag_lost`, waiting up to `reconnectWaitMs` for the document to be
   * back. It waits until pcscd has seen the card present (so pcscd's own handling of a removal
   * and re-insertion cannot reset the card under the new session), then `SCardReconnect` with a
   * reset, or a new connection. A card pcscd keeps seeing as present but mute — its power-up
   * failed, or a failed reset left it so — is reset by the transport once it stayed mute for
   * {@link MUTE_POLLS_BEFORE_RESET} polls (pcscd does not try again until the card is lifted).
   * The reader core then re-establishes secure messaging and continues the file at the offset it
   * reached.
   */
  async reconnect(): Promise<void> {
    const sleep = this.#options.sleep ?? defaultSleep;
    const deadline = Date.now() + (this.#options.reconnectWaitMs ?? 10_000);
    let prompted = false;
    let mutePolls = 0;
    for (;; await sleep(POLL_MS)) {
      let state: number;
      try {
        state = this.#context.readerState(this.reader);
      } catch (error) {
        throw inSession(error);
      }
      const inField = (state & STATE_PRESENT) !== 0;
      const mute = inField && (state & STATE_MUTE) !== 0;
      mutePolls = mute ? mutePolls + 1 : 0;
      const present = inField && (!mute || mutePolls >= MUTE_POLLS_BEFORE_RESET);
      if (present && await this.#reconnectOnce()) return;
      if (!present && !prompted && (state & STATE_EMPTY) !== 0) {
        prompted = true;
        this.#options.onCardAway?.();
      }
      if (Date.now() >= deadline) {
        throw new ChipError("tag_lost", `the document did not come back on "${this.reader}"`);
      }
    }
  }

  async #reconnectOnce(): Promise<boolean> {
    const rv = await this.#lib.SCardReconnect(
      this.#handle(),
      SHARE_SHARED,
      PROTOCOL_T0 | PROTOCOL_T1,
      RESET_CARD,
      this.#protocol,
    );
    if (toReturnCode(rv) === SCARD.S_SUCCESS) return true;
    try {
      const fresh = await this.#context.connectHandle(this.reader);
      this.#lib.SCardDisconnect(this.#handle(), LEAVE_CARD);
      this.#card = fresh.card;
      this.#protocol = fresh.protocol;
      return true;
    } catch (error) {
      if (error instanceof PcscError && isNoCard(error)) return false;
      throw inSession(error);
    }
  }

  /** Disconnects (leaving the card powered); releases the context if the transport owns it. */
  close(): void {
    if (this.#card === undefined) return;
    this.#lib.SCardDisconnect(this.#card, LEAVE_CARD);
    this.#card = undefined;
    if (this.#options.ownsContext) this.#context.close();
  }
}

function isMoreData(response: Uint8Array): boolean {
  return response.length >= 2 && response[response.length - 2] === 0x61;
}

/**
 * Opens the reader a `--reader` value names and connects to the document on it. With `pcsc`,
 * the first reader holding a card wins; with `pcsc:<text>`, the first reader whose name contains
 * the text. Waits up to `waitForCardMs` for a document to be placed.
 */
export async function openPcscReader(
  spec: string,
  options: PcscReaderOptions = {},
): Promise<PcscTransport> {
  const { nameContains } = parseReaderSpec(spec);
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + (options.waitForCardMs ?? 0);
  const context = PcscContext.establish(options.libraryPath);
  let prompted = false;
  try {
    for (;;) {
      const readers = context.listReaders();
      const candidates = nameContains === undefined
        ? readers
        : readers.filter((name) => name.toLowerCase().includes(nameContains.toLowerCase()));
      if (candidates.length === 0) {
        throw new PcscError(
          "pcsc_reader_not_found",
          `no reader's name contains "${nameContains}"; connected readers: ${readers.join(", ")}`,
        );
      }
      let lastError: PcscError | undefined;
      for (const reader of candidates) {
        try {
          return await context.connect(reader, {
            ownsContext: true,
            reconnectWaitMs: options.reconnectWaitMs,
            sleep: options.sleep,
            onCardAway: options.onCardAway,
          });
        } catch (error) {
          if (!(error instanceof PcscError) || !isNoCard(error)) throw error;
          lastError = error;
        }
      }
      if (Date.now() >= deadline) throw lastError!;
      if (!prompted) options.onWaiting?.(nameContains === undefined ? undefined : candidates[0]);
      prompted = true;
      await sleep(POLL_MS);
    }
  } catch (error) {
    context.close();
    throw error;
  }
}

function isNoCard(error: PcscError): boolean {
  return error.code === "pcsc_no_card" || error.code === "tag_lost";
}
