/**
 * The portable eMRTD reader core of Kayle ID: PACE/BAC, secure messaging, file reading, Active
 * Authentication and the Chip Authentication relay over one `transceive` function. Standard
 * JavaScript plus @noble/* and des.js only, so a React Native (Hermes) app can import it as is.
 *
 * ```ts
 * import { ChipReader } from "./phone/chip/mod.ts";
 * const reader = new ChipReader({ transceive: (apdu) => isoDep.transceive(apdu) });
 * await reader.open({ kind: "mrz", documentNumber: "L898902C3", dateOfBirth: "740812", dateOfExpiry: "120415" });
 * const files = await reader.readPassport();
 * ```
 * @module
 */
export {
  type ChipAuthenticationRelayObject,
  type ChipAuthenticationStart,
  ChipReader,
  type ChipReaderOptions,
  type ChipTransport,
  type OpenResult,
  readPassport,
  type ReadProgress,
  type TransportStats,
} from "./reader.ts";
export { ChipError, type ChipErrorCode, chipErrorMessage } from "./errors.ts";
export { type ChipFileName, type ChipFiles, FILE_NAMES, FILES } from "./files.ts";
export { type AccessKey, checkDigit } from "./keys.ts";
export type { Cipher } from "./crypto.ts";
