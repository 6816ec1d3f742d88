/**
 * The PC/SC transport (Deno only: FFI to `libpcsclite`): USB NFC readers for the reader core in
 * `phone/chip/`. See docs/mobile-protocol.md, "PC/SC readers".
 * @module
 */
export { PcscError, type PcscErrorCode, pcscErrorFor, SCARD, scardName } from "./errors.ts";
export { loadPcscLibrary, pcscAbi } from "./ffi.ts";
export {
  openPcscReader,
  parseReaderSpec,
  PcscContext,
  type PcscReaderOptions,
  PcscTransport,
  type PcscTransportOptions,
} from "./transport.ts";
