/**
 * DG11, additional personal details (ICAO Doc 9303 Part 10 §4.7.11). Every field is optional;
 * the tag list `5C` says which the issuer wrote. Personal data: never log the result.
 */
import { splitNames } from "../mrz/fields.ts";
import { decodeText, formatLdsDate, splitList } from "./lds_values.ts";
import { childrenByTag, readOuter, readTagList, type Tlv, TlvError, valueOf } from "./tlv.ts";

/** The parsed DG11. Text values are decoded UTF-8; `<` separators are split into lists. */
export interface Dg11 {
  /** The tags the issuer lists in `5C` (e.g. `0x5F0E`). */
  tagList: number[];
  /** Full name (`5F0E`), split on `<<` like the MRZ, fillers turned into spaces. */
  fullName?: { primaryIdentifier: string; secondaryIdentifier: string };
  /** Other names (`5F0F`, usually inside an `A0` template with a count). */
  otherNames: string[];
  personalNumber?: string;
  /** `5F2B`, `YYYY-MM-DD` (ASCII or BCD on the chip; `00` parts kept as unknown). */
  fullDateOfBirth?: string;
  placeOfBirth?: string[];
  permanentAddress?: string[];
  telephone?: string;
  profession?: string;
  title?: string;
  personalSummary?: string;
  /** `5F16`: an image of proof of citizenship, as stored. */
  proofOfCitizenship?: Uint8Array;
  otherValidTdNumbers?: string[];
  custodyInformation?: string;
}

/** Why a DG11 was rejected. */
export type Dg11FailureReason = "dg11_malformed" | "dg11_wrong_tag";

/** The outcome of {@link parseDg11}. */
export type Dg11Result =
  | { ok: true; dg11: Dg11 }
  | { ok: false; reason: Dg11FailureReason; detail: string };

const TAG = {
  dg11: 0x6b,
  tagList: 0x5c,
  fullName: 0x5f0e,
  otherName: 0x5f0f,
  otherNamesTemplate: 0xa0,
  personalNumber: 0x5f10,
  fullDateOfBirth: 0x5f2b,
  placeOfBirth: 0x5f11,
  permanentAddress: 0x5f42,
  telephone: 0x5f12,
  profession: 0x5f13,
  title: 0x5f14,
  personalSummary: 0x5f15,
  proofOfCitizenship: 0x5f16,
  otherValidTdNumbers: 0x5f17,
  custodyInformation: 0x5f18,
} as const;

/** Reads the text of the first element with `tag`, if any. */
export function textOf(bytes: Uint8Array, fields: Map<number, Tlv[]>, tag: number) {
  const element = fields.get(tag)?.[0];
  return element ? decodeText(valueOf(bytes, element)) : undefined;
}

/** Names found directly or inside `A0` templates (which also hold a count in tag `02`). */
export function namesIn(
  bytes: Uint8Array,
  fields: Map<number, Tlv[]>,
  nameTag: number,
): string[] {
  const direct = fields.get(nameTag) ?? [];
  const templated = (fields.get(TAG.otherNamesTemplate) ?? [])
    .flatMap((template) => childrenByTag(bytes, template).get(nameTag) ?? []);
  return [...direct, ...templated].map((element) =>
    decodeText(valueOf(bytes, element)).replace(/</g, " ").replace(/\s+/g, " ").trim()
  );
}

function buildDg11(bytes: Uint8Array, fields: Map<number, Tlv[]>): Dg11 {
  const text = (tag: number) => textOf(bytes, fields, tag);
  const list = (tag: number) => {
    const value = text(tag);
    return value === undefined ? undefined : splitList(value);
  };
  const tagListElement = fields.get(TAG.tagList)?.[0];
  const fullName = text(TAG.fullName);
  const birth = fields.get(TAG.fullDateOfBirth)?.[0];
  const proof = fields.get(TAG.proofOfCitizenship)?.[0];
  const names = fullName === undefined ? undefined : splitNames(fullName);
  return {
    tagList: tagListElement ? readTagList(bytes, tagListElement) : [],
    fullName: names && { primaryIdentifier: names.primary, secondaryIdentifier: names.secondary },
    otherNames: namesIn(bytes, fields, TAG.otherName),
    personalNumber: text(TAG.personalNumber),
    fullDateOfBirth: birth && formatLdsDate(valueOf(bytes, birth)),
    placeOfBirth: list(TAG.placeOfBirth),
    permanentAddress: list(TAG.permanentAddress),
    telephone: text(TAG.telephone),
    profession: text(TAG.profession),
    title: text(TAG.title),
    personalSummary: text(TAG.personalSummary),
    proofOfCitizenship: proof && valueOf(bytes, proof).slice(),
    otherValidTdNumbers: list(TAG.otherValidTdNumbers),
    custodyInformation: text(TAG.custodyInformation),
  };
}

/** Drops the keys whose value is undefined, so results compare and serialise cleanly. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Parses DG11 bytes (tag `6B`). Never throws: problems are typed failures. */
export function parseDg11(bytes: Uint8Array): Dg11Result {
  try {
    const outer = readOuter(bytes, TAG.dg11);
    if (!outer) {
      return { ok: false, reason: "dg11_wrong_tag", detail: "DG11 does not start with 6B" };
    }
    return { ok: true, dg11: withoutUndefined(buildDg11(bytes, childrenByTag(bytes, outer))) };
  } catch (error) {
    const detail = error instanceof TlvError ? error.message : "DG11 could not be read";
    return { ok: false, reason: "dg11_malformed", detail };
  }
}
