/**
 * The one exception type of the ASN.1 layer. Every malformed input ends as an `Asn1Error` with a
 * stable `code`, never as a RangeError or TypeError escaping from byte arithmetic.
 */
import { CodedError } from "../errors.ts";

/** Stable reasons an ASN.1 structure is rejected. */
export type Asn1ErrorCode =
  | "truncated"
  | "bad_tag"
  | "bad_length"
  | "length_overflow"
  | "indefinite_primitive"
  | "depth_exceeded"
  | "trailing_bytes"
  | "unexpected_tag"
  | "missing_element"
  | "bad_oid"
  | "bad_integer"
  | "bad_time"
  | "bad_string"
  | "bad_bit_string"
  | "bad_value";

/** A typed failure of DER/BER decoding; `code` is stable, `message` is safe to log. */
export class Asn1Error extends CodedError<Asn1ErrorCode> {}

/**
 * Runs `fn` and turns any non-`Asn1Error` exception into `Asn1Error("bad_value")`, so callers of
 * the public parsers only ever see the typed error.
 */
export function asAsn1Error<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Asn1Error) throw error;
    throw new Asn1Error("bad_value", error instanceof Error ? error.name : "unknown failure");
  }
}
