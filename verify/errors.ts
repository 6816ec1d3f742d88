/**
 * The base of the verification core's typed failures: a stable machine-readable `code`, and a
 * message prefixed with it that is safe to log (it never carries document bytes or key material).
 * Each layer declares its own subclass and code union, so callers can tell the layers apart with
 * `instanceof` and switch on `code`.
 */
export class CodedError<Code extends string> extends Error {
  /** Stable machine-readable reason. */
  readonly code: Code;

  /** Creates the error; `message` must never contain document bytes or key material. */
  constructor(code: Code, message: string) {
    super(`${code}: ${message}`);
    this.name = new.target.name;
    this.code = code;
  }
}
