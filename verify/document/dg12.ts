/**
 * DG12, additional document details (ICAO Doc 9303 Part 10 §4.7.12): issuing authority, date of
 * issue, other persons, endorsements, personalisation time and system. Every field is optional.
 */
import { namesIn, textOf, withoutUndefined } from "./dg11.ts";
import { formatLdsDate, formatLdsDateTime } from "./lds_values.ts";
import { childrenByTag, readOuter, readTagList, type Tlv, TlvError, valueOf } from "./tlv.ts";

/** The parsed DG12. */
export interface Dg12 {
  /** The tags listed in `5C`; empty when the issuer omitted the list (it happens). */
  tagList: number[];
  issuingAuthority?: string;
  /** `5F26`, `YYYY-MM-DD` (ASCII or BCD on the chip). */
  dateOfIssue?: string;
  /** `5F1A` names of other persons (usually in an `A0` template with a count). */
  otherPersons: string[];
  endorsementsAndObservations?: string;
  taxOrExitRequirements?: string;
  /** `5F1D` / `5F1E`: images of the document's front and rear, as stored. */
  frontImage?: Uint8Array;
  rearImage?: Uint8Array;
  /** `5F55`, `YYYY-MM-DDThh:mm:ss`. */
  personalizationDateTime?: string;
  personalizationSystemSerialNumber?: string;
}

/** Why a DG12 was rejected. */
export type Dg12FailureReason = "dg12_malformed" | "dg12_wrong_tag";

/** The outcome of {@link parseDg12}. */
export type Dg12Result =
  | { ok: true; dg12: Dg12 }
  | { ok: false; reason: Dg12FailureReason; detail: string };

const TAG = {
  dg12: 0x6c,
  tagList: 0x5c,
  issuingAuthority: 0x5f19,
  dateOfIssue: 0x5f26,
  otherPerson: 0x5f1a,
  endorsements: 0x5f1b,
  taxOrExit: 0x5f1c,
  frontImage: 0x5f1d,
  rearImage: 0x5f1e,
  personalizationDateTime: 0x5f55,
  personalizationSystemSerial: 0x5f56,
} as const;

function buildDg12(bytes: Uint8Array, fields: Map<number, Tlv[]>): Dg12 {
  const text = (tag: number) => textOf(bytes, fields, tag);
  const element = (tag: number) => fields.get(tag)?.[0];
  const tagList = element(TAG.tagList);
  const issue = element(TAG.dateOfIssue);
  const personalized = element(TAG.personalizationDateTime);
  const front = element(TAG.frontImage);
  const rear = element(TAG.rearImage);
  return {
    tagList: tagList ? readTagList(bytes, tagList) : [],
    issuingAuthority: text(TAG.issuingAuthority),
    dateOfIssue: issue && formatLdsDate(valueOf(bytes, issue)),
    otherPersons: namesIn(bytes, fields, TAG.otherPerson),
    endorsementsAndObservations: text(TAG.endorsements),
    taxOrExitRequirements: text(TAG.taxOrExit),
    frontImage: front && valueOf(bytes, front).slice(),
    rearImage: rear && valueOf(bytes, rear).slice(),
    personalizationDateTime: personalized && formatLdsDateTime(valueOf(bytes, personalized)),
    personalizationSystemSerialNumber: text(TAG.personalizationSystemSerial),
  };
}

/** Parses DG12 bytes (tag `6C`). Never throws: problems are typed failures. */
export function parseDg12(bytes: Uint8Array): Dg12Result {
  try {
    const outer = readOuter(bytes, TAG.dg12);
    if (!outer) {
      return { ok: false, reason: "dg12_wrong_tag", detail: "DG12 does not start with 6C" };
    }
    return { ok: true, dg12: withoutUndefined(buildDg12(bytes, childrenByTag(bytes, outer))) };
  } catch (error) {
    const detail = error instanceof TlvError ? error.message : "DG12 could not be read";
    return { ok: false, reason: "dg12_malformed", detail };
  }
}
