/**
 * Secure-messaging protected APDUs (ISO 7816-4 §6, ICAO 9303 p11 §9.8): parsing the relayed
 * command and response into "what the MAC covers" and the MAC itself, and building them the
 * way a chip (or the phone) does. Parsing throws only {@link DerError}.
 */
import { concatBytes, DerError, encodeTlv, readTlv } from "./der.ts";
import {
  blockSize,
  encryptData,
  pad,
  secureMessagingMac,
  type SessionKeys,
} from "./secure_messaging.ts";

/** A protected APDU split for MAC verification. */
export interface ProtectedApdu {
  /** The exact bytes the MAC covers (before SSC and padding). */
  macInput: Uint8Array;
  /** The 8-byte MAC from DO'8E'. */
  mac: Uint8Array;
}

/** The data objects of a protected body up to and including DO'8E', which must come last. */
function splitAtMac(objects: Uint8Array): { covered: Uint8Array; mac: Uint8Array } {
  let pos = 0;
  while (pos < objects.length) {
    const { tlv, next } = readTlv(objects, pos);
    if (tlv.tag === 0x8e) {
      if (next !== objects.length) {
        throw new DerError("mac_not_last", "DO'8E' must be the last object");
      }
      if (tlv.value.length !== 8) throw new DerError("bad_mac", "the MAC must be 8 bytes");
      return { covered: objects.subarray(0, pos), mac: tlv.value };
    }
    if (![0x85, 0x87, 0x97, 0x99].includes(tlv.tag)) {
      throw new DerError("unexpected_tag", "unexpected SM object");
    }
    pos = next;
  }
  throw new DerError("no_mac", "no DO'8E' (not secure-messaging protected)");
}

function findObject(objects: Uint8Array, tag: number): Uint8Array | undefined {
  for (let pos = 0; pos < objects.length;) {
    const { tlv, next } = readTlv(objects, pos);
    if (tlv.tag === tag) return tlv.value;
    pos = next;
  }
  return undefined;
}

/** Parses a protected command APDU (short or extended length). */
export function parseProtectedCommand(
  apdu: Uint8Array,
  cipher: SessionKeys["cipher"],
): ProtectedApdu {
  if (apdu.length < 6) throw new DerError("truncated", "command APDU too short");
  if ((apdu[0] & 0x0c) !== 0x0c) {
    throw new DerError("not_protected", "CLA does not announce secure messaging");
  }
  let length: number;
  let dataStart: number;
  if (apdu[4] !== 0) {
    length = apdu[4];
    dataStart = 5;
  } else {
    if (apdu.length < 8) throw new DerError("truncated", "extended APDU too short");
    length = (apdu[5] << 8) | apdu[6];
    dataStart = 7;
  }
  const dataEnd = dataStart + length;
  const trailing = apdu.length - dataEnd;
  const extended = dataStart === 7;
  if (trailing < 0 || trailing > (extended ? 2 : 1)) {
    throw new DerError("bad_length", "Lc does not fit the APDU");
  }
  const { covered, mac } = splitAtMac(apdu.subarray(dataStart, dataEnd));
  return { macInput: concatBytes(pad(apdu.subarray(0, 4), blockSize(cipher)), covered), mac };
}

/** Parses a protected response APDU (data objects then SW1 SW2). */
export function parseProtectedResponse(apdu: Uint8Array): ProtectedApdu & { status: number } {
  if (apdu.length < 12) throw new DerError("no_mac", "response too short to be protected");
  const status = (apdu[apdu.length - 2] << 8) | apdu[apdu.length - 1];
  const { covered, mac } = splitAtMac(apdu.subarray(0, apdu.length - 2));
  // The trailing status word is not MAC-protected; it must repeat the protected DO'99'.
  const statusObject = findObject(covered, 0x99);
  if (
    statusObject &&
    (statusObject.length !== 2 || ((statusObject[0] << 8) | statusObject[1]) !== status)
  ) {
    throw new DerError("status_mismatch", "SW1-SW2 differs from DO'99'");
  }
  return { macInput: covered, mac, status };
}

/** A plain command to protect. */
export interface PlainCommand {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected response length (0 = 256). */
  le?: number;
}

/** Builds a protected command the way the phone does, using SSC `ssc`. */
export async function buildProtectedCommand(
  keys: SessionKeys,
  ssc: number,
  command: PlainCommand,
): Promise<Uint8Array> {
  const header = Uint8Array.of(command.cla | 0x0c, command.ins, command.p1, command.p2);
  const objects: Uint8Array[] = [];
  if (command.data?.length) {
    objects.push(encodeTlv(0x87, Uint8Array.of(1), await encryptData(keys, ssc, command.data)));
  }
  if (command.le !== undefined) objects.push(encodeTlv(0x97, Uint8Array.of(command.le)));
  const covered = concatBytes(...objects);
  const mac = await secureMessagingMac(
    keys,
    ssc,
    concatBytes(pad(header, blockSize(keys.cipher)), covered),
  );
  const body = concatBytes(covered, encodeTlv(0x8e, mac));
  return concatBytes(header, Uint8Array.of(body.length), body, Uint8Array.of(0));
}

/** Builds a protected response the way the chip does, using SSC `ssc`. */
export async function buildProtectedResponse(
  keys: SessionKeys,
  ssc: number,
  data: Uint8Array,
  status = 0x9000,
): Promise<Uint8Array> {
  const statusBytes = Uint8Array.of(status >> 8, status & 0xff);
  const objects: Uint8Array[] = [];
  if (data.length) {
    objects.push(encodeTlv(0x87, Uint8Array.of(1), await encryptData(keys, ssc, data)));
  }
  objects.push(encodeTlv(0x99, statusBytes));
  const covered = concatBytes(...objects);
  const mac = await secureMessagingMac(keys, ssc, covered);
  return concatBytes(covered, encodeTlv(0x8e, mac), statusBytes);
}
