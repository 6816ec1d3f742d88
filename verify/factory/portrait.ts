/**
 * DG2 for synthetic documents: an ISO/IEC 19794-5 (2005) facial record around a given JPEG or
 * JPEG 2000 image, in the ICAO biometric template (75 / 7F61 / 7F60 / 5F2E). The default image
 * is a tiny 16×20 gradient JPEG generated for this project (no person's face).
 */
import { concatBytes, encodeTlv } from "../chip/der.ts";

const DEFAULT_PORTRAIT_BASE64 =
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAUABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAAUE/8QAGRABAAIDAAAAAAAAAAAAAAAAABNhARJR/8QAFgEBAQEAAAAAAAAAAAAAAAAABAEC/8QAFREBAQAAAAAAAAAAAAAAAAAAABH/2gAMAwEAAhEDEQA/AKU1k1p01k1iwusO2em2eg0j/9k=";

/** The default portrait: a 16×20 JPEG (308 bytes). */
export function defaultPortrait(): Uint8Array {
  return Uint8Array.fromBase64(DEFAULT_PORTRAIT_BASE64);
}

/** Image data type of ISO 19794-5, decided from the magic bytes. */
function imageDataType(image: Uint8Array): number {
  if (image[0] === 0xff && image[1] === 0xd8) return 0; // JPEG
  const jp2Box = image[4] === 0x6a && image[5] === 0x50; // "jP" signature box
  const j2kCodestream = image[0] === 0xff && image[1] === 0x4f;
  if (jp2Box || j2kCodestream) return 1;
  throw new Error("portrait_format_unsupported");
}

function u16(value: number): Uint8Array {
  return Uint8Array.of(value >> 8, value & 0xff);
}

function u32(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
}

/** An ISO/IEC 19794-5 facial record holding one image. */
export function encodeFacialRecord(image: Uint8Array, width = 16, height = 20): Uint8Array {
  const faceHeader = concatBytes(
    u16(0), // feature points
    Uint8Array.of(0, 0, 0), // gender, eye colour, hair colour unspecified
    Uint8Array.of(0, 0, 0), // feature mask
    u16(0), // expression
    Uint8Array.of(0, 0, 0, 0, 0, 0), // pose angles and their uncertainty
  );
  const imageInfo = concatBytes(
    Uint8Array.of(1, imageDataType(image)), // full frontal, JPEG / JPEG 2000
    u16(width),
    u16(height),
    Uint8Array.of(1, 2), // colour space RGB24, source type digital camera
    u16(0), // device type
    u16(0), // quality
  );
  const blockLength = 4 + faceHeader.length + imageInfo.length + image.length;
  const header = concatBytes(
    Uint8Array.of(0x46, 0x41, 0x43, 0, 0x30, 0x31, 0x30, 0), // "FAC\0" "010\0"
    u32(14 + blockLength),
    u16(1),
  );
  return concatBytes(header, u32(blockLength), faceHeader, imageInfo, image);
}

/** DG2 (tag 75) with one biometric information template around the portrait. */
export function encodeDg2(portrait: Uint8Array = defaultPortrait()): Uint8Array {
  const headerTemplate = encodeTlv(
    0xa1,
    encodeTlv(0x80, Uint8Array.of(1, 1)), // ICAO header version
    encodeTlv(0x81, Uint8Array.of(2)), // biometric type: face
    encodeTlv(0x87, Uint8Array.of(1, 1)), // format owner: ISO/IEC JTC 1 SC 37
    encodeTlv(0x88, Uint8Array.of(0, 8)), // format type: face image
  );
  const biometricTemplate = encodeTlv(
    0x7f60,
    headerTemplate,
    encodeTlv(0x5f2e, encodeFacialRecord(portrait)),
  );
  return encodeTlv(0x75, encodeTlv(0x7f61, encodeTlv(0x02, Uint8Array.of(1)), biometricTemplate));
}
