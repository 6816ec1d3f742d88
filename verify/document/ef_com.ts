/**
 * EF.COM (ICAO Doc 9303 Part 10 §4.6.1): the LDS version, the Unicode version and the list of
 * data-group tags present on the chip.
 */
import { decodeText } from "./lds_values.ts";
import { childrenByTag, readOuter, readTagList, TlvError, valueOf } from "./tlv.ts";

/** The parsed EF.COM. */
export interface EfCom {
  /** `5F01` "0107" → "1.7". */
  ldsVersion?: string;
  /** `5F36` "040000" → "4.0.0". */
  unicodeVersion?: string;
  /** Tags listed in `5C`, e.g. `[0x61, 0x75, 0x6E]`. */
  tags: number[];
  /** The data-group numbers those tags stand for (unknown tags left out). */
  dataGroups: number[];
}

/** Why an EF.COM was rejected. */
export type EfComFailureReason =
  | "ef_com_malformed"
  | "ef_com_wrong_tag"
  | "ef_com_tag_list_missing";

/** The outcome of {@link parseEfCom}. */
export type EfComResult =
  | { ok: true; efCom: EfCom }
  | { ok: false; reason: EfComFailureReason; detail: string };

/** Data-group file tags (Part 10 Table 33) by data-group number. */
export const DATA_GROUP_TAGS: ReadonlyMap<number, number> = new Map([
  [1, 0x61],
  [2, 0x75],
  [3, 0x63],
  [4, 0x76],
  [5, 0x65],
  [6, 0x66],
  [7, 0x67],
  [8, 0x68],
  [9, 0x69],
  [10, 0x6a],
  [11, 0x6b],
  [12, 0x6c],
  [13, 0x6d],
  [14, 0x6e],
  [15, 0x6f],
  [16, 0x70],
]);

const DATA_GROUP_BY_TAG = new Map([...DATA_GROUP_TAGS].map(([dg, tag]) => [tag, dg]));

/** Splits a run of two-digit pairs into a dotted version ("0107" → "1.7"). */
function dottedVersion(text: string): string {
  if (!/^([0-9]{2})+$/.test(text)) return text;
  return (text.match(/../g) ?? []).map((pair) => String(Number(pair))).join(".");
}

/** Parses EF.COM bytes (tag `60`). Never throws: problems are typed failures. */
export function parseEfCom(bytes: Uint8Array): EfComResult {
  try {
    const outer = readOuter(bytes, 0x60);
    if (!outer) {
      return { ok: false, reason: "ef_com_wrong_tag", detail: "EF.COM does not start with 60" };
    }
    const fields = childrenByTag(bytes, outer);
    const tagList = fields.get(0x5c)?.[0];
    if (!tagList) return { ok: false, reason: "ef_com_tag_list_missing", detail: "no 5C element" };
    const version = (tag: number) => {
      const element = fields.get(tag)?.[0];
      return element ? dottedVersion(decodeText(valueOf(bytes, element))) : undefined;
    };
    const tags = readTagList(bytes, tagList);
    const efCom: EfCom = {
      tags,
      dataGroups: tags.flatMap((tag) => DATA_GROUP_BY_TAG.get(tag) ?? []),
    };
    const ldsVersion = version(0x5f01);
    const unicodeVersion = version(0x5f36);
    if (ldsVersion !== undefined) efCom.ldsVersion = ldsVersion;
    if (unicodeVersion !== undefined) efCom.unicodeVersion = unicodeVersion;
    return { ok: true, efCom };
  } catch (error) {
    const detail = error instanceof TlvError ? error.message : "EF.COM could not be read";
    return { ok: false, reason: "ef_com_malformed", detail };
  }
}
