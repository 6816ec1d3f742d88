/**
 * LDS data groups other than the security objects: DG2 portrait, DG11, DG12, EF.COM, and the
 * BER-TLV reader they share.
 * @module
 */
export { type Dg11, type Dg11FailureReason, type Dg11Result, parseDg11 } from "./dg11.ts";
export { type Dg12, type Dg12FailureReason, type Dg12Result, parseDg12 } from "./dg12.ts";
export {
  DATA_GROUP_TAGS,
  type EfCom,
  type EfComFailureReason,
  type EfComResult,
  parseEfCom,
} from "./ef_com.ts";
export { type ImageSize, type PortraitFormat, readImageSize } from "./image_format.ts";
export {
  extractPortrait,
  type Portrait,
  type PortraitFailureReason,
  type PortraitResult,
} from "./portrait.ts";
export {
  readChildren,
  readOuter,
  readTlv,
  type Tlv,
  TlvError,
  type TlvErrorReason,
} from "./tlv.ts";
