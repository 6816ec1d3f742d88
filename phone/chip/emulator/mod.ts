/**
 * The eMRTD chip emulator: a card-level APDU emulator (BAC, PACE-GM, secure messaging, AA, CA)
 * and a transport with field faults, for tests, the reference phone and benchmarks.
 * @module
 */
export { EmulatedChip, type EmulatorConfig, type ServedRead } from "./chip.ts";
export { EmulatorTransport, type TransportFaults } from "./transport.ts";
export type { PaceOffer } from "./access.ts";
export type { AaHash, AaPrivateKey, CaPrivateKey } from "./authentication.ts";
