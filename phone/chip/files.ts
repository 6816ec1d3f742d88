/**
 * The elementary files of the eMRTD application (ICAO 9303-10 §4.6, §4.7) the reader knows:
 * file identifiers, short file identifiers and the tags EF.COM lists them by.
 */
import { readAll, readTlv } from "./bytes.ts";

/** Files the reader reads. `cardAccess` lives in the master file and is read before access control. */
export type ChipFileName =
  | "com"
  | "sod"
  | "dg1"
  | "dg2"
  | "dg11"
  | "dg12"
  | "dg14"
  | "dg15"
  | "cardAccess";

/** Files as read, by name. */
export type ChipFiles = Partial<Record<ChipFileName, Uint8Array>>;

/** File identifier and EF.COM tag of each file. */
export const FILES: Readonly<Record<ChipFileName, { fid: number; tag?: number }>> = {
  com: { fid: 0x011e, tag: 0x60 },
  sod: { fid: 0x011d, tag: 0x77 },
  dg1: { fid: 0x0101, tag: 0x61 },
  dg2: { fid: 0x0102, tag: 0x75 },
  dg11: { fid: 0x010b, tag: 0x6b },
  dg12: { fid: 0x010c, tag: 0x6c },
  dg14: { fid: 0x010e, tag: 0x6e },
  dg15: { fid: 0x010f, tag: 0x6f },
  cardAccess: { fid: 0x011c },
};

/** Every file name. */
export const FILE_NAMES = Object.keys(FILES) as ChipFileName[];

/** The data-group names EF.COM lists (its tag list, DO'5C'), or undefined when unreadable. */
export function listedInCom(com: Uint8Array): Set<ChipFileName> | undefined {
  try {
    const outer = readTlv(com);
    if (outer.tag !== 0x60) return undefined;
    const list = readAll(outer.value).find((t) => t.tag === 0x5c)?.value;
    if (!list) return undefined;
    const tags = new Set(list);
    return new Set(FILE_NAMES.filter((n) => FILES[n].tag !== undefined && tags.has(FILES[n].tag!)));
  } catch {
    return undefined;
  }
}
