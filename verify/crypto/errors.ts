/** Typed failures of the signature layer (an invalid signature is `false`, not an error). */
import { CodedError } from "../errors.ts";

/** Stable reasons a key or algorithm cannot be used. */
export type CryptoErrorCode =
  | "unsupported_algorithm"
  | "unsupported_hash"
  | "unsupported_curve"
  | "unsupported_key"
  | "malformed_key"
  | "malformed_parameters"
  | "key_algorithm_mismatch";

/** A key or algorithm the verifier cannot use; `code` is stable. */
export class CryptoError extends CodedError<CryptoErrorCode> {}
