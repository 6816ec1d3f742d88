/**
 * The public surface of `verify/` for the web layer (handoff/WebSocket, share fields, webhooks,
 * test mode). Import from here rather than from individual files, so the internals can move.
 *
 * Not re-exported on purpose: the DER/CMS/crypto internals, certificate parsing, the trust-store
 * importers (the `deno task trust` CLI uses them directly) and the biometric module (face match
 * and liveness, docs/biometrics.md, imported from `verify/biometric/mod.ts` by its callers).
 * @module
 */

// Check outcomes and the public failure codes (docs/document-checks.md).
export {
  ATTEMPT_FAILURE_CODES,
  type AttemptFailureCode,
  CHECK_FAILURE_CODES,
  CHECK_ORDER,
  type CheckFailureCode,
  type CheckName,
  type CheckOutcome,
  type CheckStatus,
  FAILURE_CODE_BY_CHECK,
  failureCodeOf,
  firstFailedCheck,
  isPublicFailureCode,
  outcome,
  PUBLIC_FAILURE_CODES,
  type PublicFailureCode,
  publicFailureCode,
} from "./result.ts";

// The document checks (docs/document-checks.md).
export {
  type AntiCloning,
  checkDocument,
  DOCUMENT_CHECKS,
  type DocumentCheckInput,
  type DocumentCheckResult,
  documentRiskScore,
} from "./check_document.ts";

// Claims (docs/api.md#share-fields): catalogue for share_fields validation and consent labels, values.
export {
  AGE_GATE_MAX,
  AGE_GATE_MIN,
  type AgeGateParse,
  buildClaims,
  type BuildClaimsInput,
  CLAIM_CATALOGUE,
  type ClaimDefinition,
  claimDefinition,
  claimDescription,
  ClaimError,
  type ClaimErrorCode,
  claimLabel,
  type ClaimValue,
  deriveOrgClaimKeys,
  isKnownClaimKey,
  type OrgClaimKeys,
  parseAgeGateKey,
  sortClaimKeys,
} from "./claims/mod.ts";

// Parsed document data (in memory only: never log or store).
export {
  type MrzFailureReason,
  parseDg1,
  type ParsedMrz,
  parseMrz,
  type SexMarker,
} from "./mrz/mod.ts";
export {
  type Dg11,
  type Dg12,
  type EfCom,
  extractPortrait,
  parseDg11,
  parseDg12,
  parseEfCom,
  type Portrait,
  type PortraitFormat,
} from "./document/mod.ts";

// Trust anchors: the KV store for live sessions, in-memory sources (sandbox only) for test mode.
export {
  createKvTrustSource,
  createMemoryTrustSource,
  EMPTY_TRUST_SOURCE,
  type TrustAnchorSource,
} from "./trust/mod.ts";

// Chip Authentication: the server starts CA after the hello and keeps the session in memory.
export {
  type ChipAuthenticationRelay,
  ChipAuthenticationSession,
  type ChipAuthenticationStart,
  startChipAuthentication,
} from "./chip/chip_authentication.ts";

// Test mode (docs/api.md#test-and-live): the sandbox CSCA and synthetic passports with their simulated chip.
export { sandboxCsca } from "./factory/sandbox_csca.ts";
export {
  createSyntheticPassport,
  type SyntheticPassport,
  type SyntheticPassportOptions,
} from "./factory/synthetic_passport.ts";
