/**
 * The share-field contract of docs/api.md#share-fields: validates the `share_fields` map of a session request
 * (each rule with its stable `400` code), normalises reasons and adds the platform's default
 * `kayle_document_id` entry. The catalogue itself lives in `verify/claims/` (one source of truth).
 */
import {
  CLAIM_CATALOGUE,
  claimLabel,
  isKnownClaimKey,
  parseAgeGateKey,
} from "../../verify/claims/mod.ts";
import { CodedError } from "../core/errors.ts";

/** One stored share-field entry. */
export interface ShareFieldEntry {
  required: boolean;
  reason: string;
  /** `rc`: requested by the relying party; `default`: added by the platform. */
  source: "rc" | "default";
}

/** Share fields keyed by claim key, in the session's canonical order. */
export type ShareFields = Record<string, ShareFieldEntry>;

/** Stable codes of share-field and redirect-URL problems (all answered with 400). */
export type ShareFieldCode =
  | "INVALID_SHARE_FIELDS"
  | "UNKNOWN_CLAIM_KEY"
  | "INVALID_AGE_GATE_KEY"
  | "MULTIPLE_AGE_GATES_NOT_ALLOWED"
  | "REASON_REQUIRED"
  | "REASON_TOO_LONG"
  | "TOO_MANY_SHARE_FIELDS"
  | "INVALID_REDIRECT_URL";

/** A share-field or redirect-URL rule was broken. */
export class ShareFieldError extends CodedError<ShareFieldCode> {}

/** Most entries a request may carry. */
export const MAX_SHARE_FIELDS = 32;
/** Longest reason, in characters, after whitespace is normalised. */
export const MAX_REASON_LENGTH = 200;
/** The key every session shares. */
export const DEFAULT_CLAIM_KEY = "kayle_document_id";
/** Longest accepted redirect URL. */
export const MAX_REDIRECT_URL_LENGTH = 2048;

/** Every fixed catalogue key (and the `age_over_N` family), for docs and the API reference. */
export const CATALOGUE_KEYS: readonly string[] = CLAIM_CATALOGUE.map((claim) => claim.key);

/** Trims a reason and collapses inner whitespace runs to one space. */
export function normaliseReason(reason: string): string {
  return reason.trim().replace(/\s+/g, " ");
}

/**
 * Validates a request's `share_fields` (undefined gives the default contract) and returns the
 * stored map: request order first, then `kayle_document_id` when the request omitted it.
 * Throws {@link ShareFieldError}.
 */
export function parseShareFields(input: unknown): ShareFields {
  if (input === undefined || input === null) return withDefault({});
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new ShareFieldError(
      "INVALID_SHARE_FIELDS",
      "share_fields must be an object keyed by claim key.",
    );
  }
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length > MAX_SHARE_FIELDS) {
    throw new ShareFieldError(
      "TOO_MANY_SHARE_FIELDS",
      `share_fields may hold at most ${MAX_SHARE_FIELDS} entries; got ${entries.length}.`,
    );
  }
  const out: ShareFields = {};
  let ageGate: string | null = null;
  for (const [key, value] of entries) {
    checkKey(key);
    if (parseAgeGateKey(key).kind === "age_gate") {
      if (ageGate) {
        throw new ShareFieldError(
          "MULTIPLE_AGE_GATES_NOT_ALLOWED",
          `Only one age gate per session: ${ageGate} and ${key} were both requested.`,
        );
      }
      ageGate = key;
    }
    out[key] = parseEntry(key, value);
  }
  return withDefault(out);
}

function checkKey(key: string): void {
  if (isKnownClaimKey(key)) return;
  if (parseAgeGateKey(key).kind === "invalid_age_gate") {
    throw new ShareFieldError(
      "INVALID_AGE_GATE_KEY",
      `${key} is not a valid age gate: use age_over_N with N an integer from 12 to 130.`,
    );
  }
  throw new ShareFieldError("UNKNOWN_CLAIM_KEY", `${key} is not a claim of the catalogue.`);
}

function parseEntry(key: string, value: unknown): ShareFieldEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ShareFieldError(
      "INVALID_SHARE_FIELDS",
      `share_fields.${key} must be an object {required, reason}.`,
    );
  }
  const entry = value as Record<string, unknown>;
  const extra = Object.keys(entry).filter((k) => !["required", "reason", "source"].includes(k));
  if (extra.length) {
    throw new ShareFieldError(
      "INVALID_SHARE_FIELDS",
      `share_fields.${key} has unknown property ${extra[0]}.`,
    );
  }
  if (typeof entry.required !== "boolean") {
    throw new ShareFieldError(
      "INVALID_SHARE_FIELDS",
      `share_fields.${key}.required must be a boolean.`,
    );
  }
  if (entry.reason !== undefined && typeof entry.reason !== "string") {
    throw new ShareFieldError(
      "INVALID_SHARE_FIELDS",
      `share_fields.${key}.reason must be a string.`,
    );
  }
  const reason = normaliseReason((entry.reason as string | undefined) ?? "");
  if (reason.length === 0) {
    throw new ShareFieldError("REASON_REQUIRED", `share_fields.${key}.reason must not be empty.`);
  }
  if ([...reason].length > MAX_REASON_LENGTH) {
    throw new ShareFieldError(
      "REASON_TOO_LONG",
      `share_fields.${key}.reason is longer than ${MAX_REASON_LENGTH} characters.`,
    );
  }
  // kayle_document_id is always required, whatever the request says.
  const required = key === DEFAULT_CLAIM_KEY ? true : entry.required;
  return { required, reason, source: "rc" };
}

function withDefault(fields: ShareFields): ShareFields {
  if (fields[DEFAULT_CLAIM_KEY]) return fields;
  return {
    ...fields,
    [DEFAULT_CLAIM_KEY]: {
      required: true,
      reason: `Sharing "${claimLabel(DEFAULT_CLAIM_KEY)}"`,
      source: "default",
    },
  };
}

/** Keys of the entries marked required, in canonical order. */
export function requiredKeys(fields: ShareFields): string[] {
  return Object.entries(fields).filter(([, entry]) => entry.required).map(([key]) => key);
}

/**
 * Validates a redirect URL (docs/api.md#share-fields): absolute https, ≤ 2048 characters, no credentials;
 * http only for localhost / 127.0.0.1 in development mode. Returns the URL as given.
 */
export function parseRedirectUrl(input: string, devMode: boolean): string {
  const fail = (why: string) => new ShareFieldError("INVALID_REDIRECT_URL", `redirect_url ${why}.`);
  if (input.length > MAX_REDIRECT_URL_LENGTH) {
    throw fail(`is longer than ${MAX_REDIRECT_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw fail("must be an absolute URL");
  }
  if (url.username || url.password) throw fail("must not contain credentials");
  // Stored and returned in its WHATWG-serialized form, the form browsers will follow.
  if (url.href.length > MAX_REDIRECT_URL_LENGTH) {
    throw fail(`is longer than ${MAX_REDIRECT_URL_LENGTH} characters once serialized`);
  }
  if (url.protocol === "https:") return url.href;
  const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1";
  if (url.protocol === "http:" && loopback && devMode) return url.href;
  throw fail(
    url.protocol === "http:"
      ? "must use https:// (http:// is accepted only for localhost in development mode)"
      : "must use https://",
  );
}
