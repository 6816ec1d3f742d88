/** Passive authentication and its parts (chain, revocation, data-group hashes). */
export * from "./result.ts";
export * from "./passive_auth.ts";
export * from "./chain.ts";
export * from "./revocation.ts";
export * from "./data_groups.ts";
export { type ParsedSod, parseSod, SodError, type SodErrorCode, tryParseSod } from "../cms/mod.ts";
export type { TrustAnchorSource, TrustedCertificate, TrustedCrl } from "../trust/types.ts";
