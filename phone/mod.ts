/**
 * The reference phone client of Kayle ID (library): speaks the phone protocol v1 of
 * `docs/mobile-protocol.md` with synthetic passports from the document factory.
 *
 * ```ts
 * import { httpPhoneApi, parsePhoneLink, runPhone } from "./phone/mod.ts";
 * const link = parsePhoneLink(verificationUrl);
 * const result = await runPhone({ api: httpPhoneApi(link.baseUrl), sessionId: link.sessionId, scenario: "success" });
 * ```
 * @module
 */
export { httpPhoneApi, type PhoneApi, type PhoneHandoff } from "./api.ts";
export {
  createQueueChannel,
  DEFAULT_WAIT_MS,
  openWebSocketChannel,
  type PhoneChannel,
  PhoneProtocolError,
  type ServerMessage,
} from "./channel.ts";
export { isShortLink, parsePhoneLink, type PhoneLink, resolvePhoneLink } from "./links.ts";
export { passportFor, type SelfieFrames, selfieFramesFor, selfieFramesFromFiles } from "./media.ts";
export {
  base64,
  CHUNK_BYTES,
  expectMessage,
  PHONE_PROTOCOL_VERSION,
  type PhoneResult,
  playChip,
  type PlayChipOptions,
  playSelfie,
  requestResult,
  runPhone,
  type RunPhoneOptions,
  sayHello,
  uploadArtifact,
} from "./phone.ts";
export { type Scenario, SCENARIO_NAMES, scenarioByName, SCENARIOS } from "./scenarios.ts";
export {
  accessKeyFor,
  type EmulatedPassportOptions,
  emulatedTransportFor,
  emulatorConfigFor,
} from "./emulated_passport.ts";
