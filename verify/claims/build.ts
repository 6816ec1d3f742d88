/**
 * Building the claim values of docs/api.md#share-fields from a validated MRZ at the verification time.
 * Only the keys the user consented to are produced.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { ParsedMrz } from "../mrz/mrz.ts";
import { parseAgeGateKey, sortClaimKeys } from "./catalogue.ts";
import { ClaimError, type OrgClaimKeys } from "./keys.ts";

/** A claim value as delivered in the success webhook. */
export type ClaimValue = string | boolean;

/** Inputs of {@link buildClaims}. */
export interface BuildClaimsInput {
  mrz: ParsedMrz;
  /** The verification time: age gates are judged at this instant (UTC calendar date). */
  at: Date;
  /** The consented keys; the output follows catalogue order whatever order they come in. */
  selectedKeys: readonly string[];
  keys: OrgClaimKeys;
}

/**
 * Completed years between a `YYYY-MM-DD` birth date and the UTC date of `at`. A birthday on
 * 29 February is reached on 1 March in non-leap years (the month/day comparison does that).
 */
export function ageAt(dateOfBirth: string, at: Date): number {
  const [year, month, day] = dateOfBirth.split("-").map(Number);
  const nowMonth = at.getUTCMonth() + 1;
  const nowDay = at.getUTCDate();
  const birthdayPassed = nowMonth > month || (nowMonth === month && nowDay >= day);
  return at.getUTCFullYear() - year - (birthdayPassed ? 0 : 1);
}

function hmacHex(key: Uint8Array, message: string): string {
  return bytesToHex(hmac(sha256, key, new TextEncoder().encode(message)));
}

/** Uppercase, single spaces, trimmed: the same person's names compare equal across documents. */
export function normaliseName(name: string): string {
  return name.normalize("NFC").toUpperCase().replace(/\s+/g, " ").trim();
}

/** `kdid_` + hex HMAC-SHA256(document key, `COUNTRY|TYPE|NUMBER`). */
export function kayleDocumentId(mrz: ParsedMrz, keys: OrgClaimKeys): string {
  const input = `${mrz.issuingCountryCode}|${mrz.documentCode}|${mrz.documentNumber}`;
  return `kdid_${hmacHex(keys.documentIdKey, input)}`;
}

/**
 * `khid_` + hex HMAC-SHA256(human key, `FAMILY|GIVEN|YYYY-MM-DD|NATIONALITY`) with normalised
 * names: a renewed document of the same person gives the same id within one organization.
 */
export function kayleHumanId(mrz: ParsedMrz, keys: OrgClaimKeys): string {
  const input = [
    normaliseName(mrz.primaryIdentifier),
    normaliseName(mrz.secondaryIdentifier),
    mrz.dateOfBirth,
    mrz.nationalityCode,
  ].join("|");
  return `khid_${hmacHex(keys.humanIdKey, input)}`;
}

const FIXED_VALUES: Record<string, (mrz: ParsedMrz, keys: OrgClaimKeys) => ClaimValue> = {
  kayle_document_id: kayleDocumentId,
  kayle_human_id: kayleHumanId,
  document_type_code: (mrz) => mrz.documentCode,
  issuing_country_code: (mrz) => mrz.issuingCountryCode,
  family_name: (mrz) => mrz.primaryIdentifier,
  given_names: (mrz) => mrz.secondaryIdentifier,
  document_number: (mrz) => mrz.documentNumber,
  nationality_code: (mrz) => mrz.nationalityCode,
  date_of_birth: (mrz) => mrz.dateOfBirth,
  sex_marker: (mrz) => mrz.sex,
  document_expiry_date: (mrz) => mrz.dateOfExpiry,
  mrz_optional_data: (mrz) => mrz.optionalData,
};

/**
 * The claim values of exactly the selected keys, in catalogue order. Throws
 * {@link ClaimError} `unknown_claim_key` for a key outside the catalogue (share fields are
 * validated before a session exists, so this signals a programming error).
 */
export function buildClaims(input: BuildClaimsInput): Record<string, ClaimValue> {
  const claims: Record<string, ClaimValue> = {};
  for (const key of sortClaimKeys(input.selectedKeys)) {
    const fixed = Object.hasOwn(FIXED_VALUES, key) ? FIXED_VALUES[key] : undefined;
    if (fixed) {
      claims[key] = fixed(input.mrz, input.keys);
      continue;
    }
    const gate = parseAgeGateKey(key);
    if (gate.kind !== "age_gate") throw new ClaimError("unknown_claim_key", `unknown claim key`);
    claims[key] = ageAt(input.mrz.dateOfBirth, input.at) >= gate.age;
  }
  return claims;
}
