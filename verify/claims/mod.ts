/**
 * Claims (docs/api.md#share-fields): the catalogue, org-scoped key derivation and claim values.
 * @module
 */
export {
  AGE_GATE_MAX,
  AGE_GATE_MIN,
  type AgeGateParse,
  CLAIM_CATALOGUE,
  type ClaimDefinition,
  claimDefinition,
  claimDescription,
  claimLabel,
  isKnownClaimKey,
  parseAgeGateKey,
  sortClaimKeys,
} from "./catalogue.ts";
export { ClaimError, type ClaimErrorCode, deriveOrgClaimKeys, type OrgClaimKeys } from "./keys.ts";
export {
  ageAt,
  buildClaims,
  type BuildClaimsInput,
  type ClaimValue,
  kayleDocumentId,
  kayleHumanId,
  normaliseName,
} from "./build.ts";
