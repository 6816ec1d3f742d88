/** Errors of the SDK: one class for API answers, one for the network, one for webhooks. */

/** An error answer of the Kayle ID API (`{data: null, error: {code, message, hint?}}`). */
export class KayleApiError extends Error {
  /** HTTP status (400, 401, 404, 409, 429, 500, …). */
  readonly status: number;
  /** Stable error code, e.g. `NOT_FOUND`, `RATE_LIMITED`, `INVALID_SHARE_FIELDS`. */
  readonly code: string;
  /** The server's `X-Request-Id`: quote it when you contact support. */
  readonly requestId: string | null;
  /** An optional hint from the server. */
  readonly hint: string | undefined;

  constructor(
    init: {
      status: number;
      code: string;
      message: string;
      requestId: string | null;
      hint?: string;
    },
  ) {
    super(init.message);
    this.name = "KayleApiError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.hint = init.hint;
  }
}

/** The request never got an answer (DNS, refused connection, timeout), after the retries. */
export class KayleConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KayleConnectionError";
  }
}

/** Why a webhook was refused by `verifyAndDecrypt`. */
export type KayleWebhookErrorCode =
  /** The body is a parsed object, not the raw bytes or string. */
  | "parsed_body"
  /** `X-Kayle-Signature` is absent. */
  | "missing_signature"
  /** `X-Kayle-Signature` is not `t=<unix>,v1=<hex>[,v1=<hex>]`. */
  | "malformed_signature"
  /** The request's Content-Type is not `application/jose`. */
  | "wrong_content_type"
  /** The signed timestamp is further from your clock than the tolerance. */
  | "timestamp_out_of_tolerance"
  /** No `v1` value matches any of your signing secrets over these exact bytes. */
  | "signature_mismatch"
  /** The JWE names a `kid` for which you passed no private key. */
  | "no_key_for_kid"
  /** The body is not a compact JWE, or your key cannot decrypt it. */
  | "decryption_failed"
  /** The decrypted payload is not a Kayle ID event. */
  | "invalid_payload";

/** A webhook that must be refused: answer `400` and do not process it. */
export class KayleWebhookError extends Error {
  readonly code: KayleWebhookErrorCode;

  constructor(code: KayleWebhookErrorCode, message: string) {
    super(message);
    this.name = "KayleWebhookError";
    this.code = code;
  }
}
