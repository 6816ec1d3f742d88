/**
 * The thin binding to the PC/SC library through Deno's FFI: pcsc-lite's `libpcsclite.so.1` on
 * Linux, the PCSC framework on macOS. Every call returns the library's result or throws a
 * {@link PcscError} (errors.ts); nothing here knows about passports. Requires `--allow-ffi`.
 *
 * pcsc-lite's `DWORD` and `LONG` are C `unsigned long` / `long`: 64 bits on 64-bit Linux, 32 on
 * macOS; `SCARDCONTEXT` and `SCARDHANDLE` are `LONG`-sized. {@link pcscAbi} holds the sizes.
 */
import { PcscError, pcscErrorFor, SCARD, toReturnCode } from "./errors.ts";

/** `SCARD_SCOPE_SYSTEM`, `SCARD_SHARE_*`, `SCARD_PROTOCOL_*`, dispositions. */
export const SCOPE_SYSTEM = 2;
export const SHARE_EXCLUSIVE = 1;
export const SHARE_SHARED = 2;
export const PROTOCOL_T0 = 1;
export const PROTOCOL_T1 = 2;
export const LEAVE_CARD = 0;
export const RESET_CARD = 1;

/** `SCARD_STATE_*` bits of a reader's event state. */
export const STATE_EMPTY = 0x10;
export const STATE_PRESENT = 0x20;
export const STATE_MUTE = 0x200;

/** pcsc-lite's `MAX_BUFFER_SIZE_EXTENDED`: an extended APDU's 64 KiB of data, SW1-SW2 and headers. */
export const MAX_RESPONSE_BYTES = 4 + 3 + (1 << 16) + 3 + 2;

/** The C type sizes of one platform's PC/SC library. */
export interface PcscAbi {
  library: string;
  /** `DWORD`/`LONG`/handle width in bytes. */
  word: 4 | 8;
}

/** The library and type sizes for an OS (`Deno.build.os`). */
export function pcscAbi(os: string = Deno.build.os): PcscAbi {
  if (os === "darwin") {
    return { library: "/System/Library/Frameworks/PCSC.framework/PCSC", word: 4 };
  }
  return { library: "libpcsclite.so.1", word: 8 };
}

function symbols(word: 4 | 8) {
  const dword = word === 8 ? "u64" : "u32";
  const long = word === 8 ? "i64" : "i32";
  return {
    SCardEstablishContext: { parameters: [dword, "pointer", "pointer", "buffer"], result: long },
    SCardReleaseContext: { parameters: [long], result: long },
    SCardListReaders: { parameters: [long, "pointer", "buffer", "buffer"], result: long },
    SCardConnect: {
      parameters: [long, "buffer", dword, dword, "buffer", "buffer"],
      result: long,
      nonblocking: true,
    },
    SCardReconnect: {
      parameters: [long, dword, dword, dword, "buffer"],
      result: long,
      nonblocking: true,
    },
    SCardDisconnect: { parameters: [long, dword], result: long },
    SCardGetStatusChange: { parameters: [long, dword, "buffer", dword], result: long },
    SCardTransmit: {
      parameters: [long, "buffer", "buffer", dword, "pointer", "buffer", "buffer"],
      result: long,
      nonblocking: true,
    },
  } as const;
}

type PcscSymbols = ReturnType<typeof symbols>;
/** The loaded library's functions. */
export type PcscLibrary = Deno.DynamicLibrary<PcscSymbols>["symbols"];

/** A handle value as the library returns it (number or bigint, depending on width). */
export type PcscHandle = number | bigint;

/**
 * Opens the PC/SC library. A missing library becomes `pcsc_library_missing` with the package to
 * install; `path` overrides the platform default (tests, unusual installs).
 */
export function loadPcscLibrary(
  path?: string,
  abi: PcscAbi = pcscAbi(),
): { lib: PcscLibrary; abi: PcscAbi; close(): void } {
  const library = path ?? abi.library;
  let dylib: Deno.DynamicLibrary<PcscSymbols>;
  try {
    dylib = Deno.dlopen(library, symbols(abi.word));
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
      throw new PcscError(
        "pcsc_library_missing",
        "loading the PC/SC library needs FFI permission: run with --allow-ffi (the `deno task chip` task has it)",
      );
    }
    throw new PcscError(
      "pcsc_library_missing",
      `the PC/SC library ${library} could not be loaded: install it (Debian/Ubuntu: ` +
        "`apt-get install libpcsclite1 pcscd`; Fedora: `dnf install pcsc-lite`) and try again",
    );
  }
  return { lib: dylib.symbols, abi, close: () => dylib.close() };
}

/** Reads a `DWORD`/handle of the ABI's width from `buffer`. */
export function readWord(buffer: Uint8Array, word: 4 | 8): PcscHandle {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (word === 4) return view.getUint32(0, true);
  const value = view.getBigUint64(0, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Writes a `DWORD` of the ABI's width into `buffer`. */
export function writeWord(buffer: Uint8Array, word: 4 | 8, value: number): void {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (word === 4) view.setUint32(0, value, true);
  else view.setBigUint64(0, BigInt(value), true);
}

/** Throws the mapped {@link PcscError} unless `rv` is `SCARD_S_SUCCESS`. */
export function check(rv: number | bigint, call: string, reader?: string): void {
  const code = toReturnCode(rv);
  if (code !== SCARD.S_SUCCESS) throw pcscErrorFor(code, call, reader);
}

/** Splits a PC/SC multi-string (`name\0name\0\0`) into its names. */
export function parseMultiString(bytes: Uint8Array): string[] {
  return new TextDecoder().decode(bytes).split("\0").filter((name) => name.length > 0);
}

/** A NUL-terminated C string. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const encoded = new TextEncoder().encode(text);
  const bytes = new Uint8Array(encoded.length + 1);
  bytes.set(encoded);
  return bytes;
}

/** The `SCARD_IO_REQUEST` for a protocol: `{dwProtocol, cbPciLength}` of the ABI's width. */
export function ioRequest(protocol: number, word: 4 | 8): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(2 * word);
  writeWord(bytes, word, protocol);
  writeWord(bytes.subarray(word), word, 2 * word);
  return bytes;
}

/**
 * A one-reader `SCARD_READERSTATE` asking for the current state (`SCARD_STATE_UNAWARE`):
 * `{szReader, pvUserData, dwCurrentState, dwEventState, cbAtr, rgbAtr[33]}`, the words of the
 * ABI's width (macOS packs the structure; Linux aligns it to 8). `name` must stay referenced
 * while the structure is in use.
 */
export function readerStateRequest(name: Uint8Array<ArrayBuffer>, word: 4 | 8): Uint8Array {
  const size = word === 8 ? 80 : 16 + 3 * 4 + 33;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(name))), true);
  return bytes;
}

/** The `dwEventState` of a {@link readerStateRequest} after the call. */
export function readerEventState(state: Uint8Array, word: 4 | 8): number {
  return Number(readWord(state.subarray(16 + word), word)) & 0xffff;
}
