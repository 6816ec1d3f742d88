/**
 * Kayle ID SDK for JavaScript and TypeScript (Node 20+, Deno, Bun): the REST client and the
 * webhook receiver.
 *
 * ```ts
 * import { Kayle, verifyAndDecrypt } from "@kayle-id/sdk";
 * const kayle = new Kayle({ apiKey: process.env.KAYLE_API_KEY!, baseUrl: "https://id.example.com" });
 * const session = await kayle.sessions.create({ share_fields: { age_over_18: { required: true, reason: "Adults only" } } });
 * const event = await verifyAndDecrypt(rawBody, headers, { signingSecrets, privateKeys });
 * ```
 */
export { Kayle } from "./kayle.ts";
export {
  type CallInput,
  type ClientOptions,
  KayleClient,
  ListResult,
  type Page,
  parseRetryAfter,
  type RequestOptions,
  type Result,
} from "./client.ts";
export {
  KayleApiError,
  KayleConnectionError,
  KayleWebhookError,
  type KayleWebhookErrorCode,
} from "./errors.ts";
export {
  DEFAULT_TOLERANCE_SECONDS,
  type EncryptionKeyPair,
  generateEncryptionKeyPair,
  type HeadersLike,
  parseSignatureHeader,
  type PrivateKeyInput,
  type RawBody,
  verifyAndDecrypt,
  type VerifyOptions,
  verifySignature,
} from "./webhooks.ts";
export type { Claims, EventMetadata, KayleEvent, KayleEventType, SucceededData } from "./events.ts";
export type * from "./generated/types.ts";
export { OPERATIONS } from "./generated/types.ts";
