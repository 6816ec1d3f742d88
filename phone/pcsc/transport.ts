/**
 * The PC/SC transport of the reader core: a USB (CCID) NFC reader seen through pcscd, as a
 * `ChipTransport` (`transceive(command) → response`, `reconnect()`), see docs/mobile-protocol.md
 * "PC/SC readers". Reader selection: `pcsc` takes the first reader with a card on it,
 * `pcsc:<text>` the first reader whose name contains `<text>` (case-insensitive).
 */
import { ChipError, type ChipTransport } from "../chip/mod.ts";
import { PcscError, SCARD } from "./errors.ts";
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
  readWord,
  RESET_CARD,
  SCOPE_SYSTEM,
  SHARE_SHARED,
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

  /** Connects to the card on `reader` (shared, T=0 or T=1); `onClose` runs after disconnect. */
  async connect(reader: string, onClose: () => void = () => {}): Promise<PcscTransport> {
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
    const word = this.#abi.word;
    return new PcscTransport(this.#lib, word, reader, readWord(card, word), protocol, onClose);
  }

  /** Releases the context and unloads the library. */
  close(): void {
    if (this.#context === undefined) return;
    this.#lib.SCardReleaseContext(this.#context);
    this.#context = undefined;
    this.#closeLibrary();
  }
}

/**
 * A failure while a chip session runs, in the reader core's terms: a card that left the field is
 * the core's `tag_lost` (it reconnects and resumes), a reader timeout its `timeout`.
 */
function inSession(error: unknown): unknown {
  if (error instanceof PcscError && (error.code === "tag_lost" || error.code === "timeout")) {
    return new ChipError(error.code, error.message.slice(error.code.length + 2), undefined);
  }
  return error;
}

/** One connection to a card: the reader core's transport. */
export class PcscTransport implements ChipTransport {
  readonly reader: string;
  readonly #lib: PcscLibrary;
  readonly #word: 4 | 8;
  readonly #protocol: Uint8Array;
  readonly #onClose: () => void;
  #card: PcscHandle | undefined;
  #response = new Uint8Array(MAX_RESPONSE_BYTES);
  /** The number of APDUs exchanged (GET RESPONSE included). */
  apdus = 0;

  /** Wraps a connected card handle; use {@link PcscContext.connect} or {@link openPcscReader}. */
  constructor(
    lib: PcscLibrary,
    word: 4 | 8,
    reader: string,
    card: PcscHandle,
    protocol: Uint8Array,
    onClose: () => void,
  ) {
    this.#lib = lib;
    this.#word = word;
    this.reader = reader;
    this.#card = card;
    this.#protocol = protocol;
    this.#onClose = onClose;
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
   * Re-powers the card (after `tag_lost`): `SCardReconnect` with a reset, or a new connection if
   * the card left the field and came back. The reader core then re-establishes secure messaging.
   */
  async reconnect(): Promise<void> {
    const rv = await this.#lib.SCardReconnect(
      this.#handle(),
      SHARE_SHARED,
      PROTOCOL_T0 | PROTOCOL_T1,
      RESET_CARD,
      this.#protocol,
    );
    try {
      check(rv, "SCardReconnect", this.reader);
    } catch (error) {
      throw inSession(error);
    }
  }

  /** Disconnects (leaving the card powered) and releases the context it came from. */
  close(): void {
    if (this.#card === undefined) return;
    this.#lib.SCardDisconnect(this.#card, LEAVE_CARD);
    this.#card = undefined;
    this.#onClose();
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
          return await context.connect(reader, () => context.close());
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
  return error.code === "pcsc_no_card" || error.returnCode === SCARD.W_REMOVED_CARD;
}
