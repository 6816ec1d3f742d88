/**
 * What passive authentication asks of a trust store. Implemented over Deno KV (`kv_store.ts`)
 * and in memory (`memory_source.ts`, for the CLI's --trust files, tests and test mode).
 */
import type { Certificate, Crl } from "../asn1/mod.ts";

/** A certificate the operator chose to trust (CSCA or link certificate), or a known DSC. */
export interface TrustedCertificate {
  certificate: Certificate;
  /** SHA-256 of the DER, lower-case hex. */
  fingerprintHex: string;
  /** Where it came from, e.g. "masterlist:DE_ML_2026-05-28.ml", "file:csca.der", "sandbox". */
  source: string;
}

/** A CRL held by the trust store. */
export interface TrustedCrl {
  crl: Crl;
  fingerprintHex: string;
  source: string;
}

/**
 * Lookup of CSCAs by `skiHex` (the DSC's AKI), else by `issuerName` (a `Name.key`, i.e. the
 * DSC's issuer), else by `country`. Only the first given criterion is used.
 */
export interface CscaQuery {
  skiHex?: string;
  issuerName?: string;
  country?: string;
}

/** Lookup of CRLs issued by a CSCA (`issuerName` is the CSCA subject's `Name.key`). */
export interface CrlQuery {
  issuerName: string;
  akiHex?: string;
  country?: string;
}

/** Lookup of document signer certificates, for SODs that do not embed theirs. */
export interface DscQuery {
  issuerName?: string;
  serialHex?: string;
  skiHex?: string;
}

/** The trust anchors passive authentication uses. */
export interface TrustAnchorSource {
  /** CSCAs (and link certificates) matching the query. */
  findCscas(query: CscaQuery): Promise<TrustedCertificate[]>;
  /** CRLs of the given issuer. */
  findCrls(query: CrlQuery): Promise<TrustedCrl[]>;
  /** Known DSCs (e.g. from the ICAO PKD), when the source keeps them. */
  findDscs?(query: DscQuery): Promise<TrustedCertificate[]>;
}
