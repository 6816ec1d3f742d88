/**
 * An in-memory `TrustAnchorSource` holding exactly the certificates and CRLs it is given: used by
 * the CLI's `--trust` files, by tests, and by test mode with only the sandbox CSCA, so live and
 * test anchors never mix.
 */
import {
  type Certificate,
  certificateFingerprint,
  type Crl,
  parseCertificate,
  parseCrl,
} from "../asn1/mod.ts";
import type {
  CrlQuery,
  CscaQuery,
  DscQuery,
  TrustAnchorSource,
  TrustedCertificate,
  TrustedCrl,
} from "./types.ts";

/** Input of `createMemoryTrustSource`: DER bytes or parsed objects. */
export interface MemoryTrustInput {
  cscas?: Array<Uint8Array | Certificate>;
  crls?: Array<Uint8Array | Crl>;
  dscs?: Array<Uint8Array | Certificate>;
  /** Label recorded as `source` on every entry (default "memory"). */
  source?: string;
}

async function trustCertificates(
  list: Array<Uint8Array | Certificate>,
  source: string,
): Promise<TrustedCertificate[]> {
  const out: TrustedCertificate[] = [];
  const seen = new Set<string>();
  for (const item of list) {
    const certificate = item instanceof Uint8Array ? parseCertificate(item) : item;
    const fingerprintHex = await certificateFingerprint(certificate.der);
    if (seen.has(fingerprintHex)) continue;
    seen.add(fingerprintHex);
    out.push({ certificate, fingerprintHex, source });
  }
  return out;
}

/** Filters certificates by the first criterion of a CSCA query. */
export function matchCscaQuery(list: TrustedCertificate[], query: CscaQuery): TrustedCertificate[] {
  if (query.skiHex) return list.filter((t) => t.certificate.skiHex === query.skiHex);
  if (query.issuerName) return list.filter((t) => t.certificate.subject.key === query.issuerName);
  if (query.country) return list.filter((t) => t.certificate.subject.country === query.country);
  return [];
}

/**
 * Builds a source containing ONLY the given anchors. Throws `Asn1Error` when an input does not
 * parse (a trust list with garbage in it is an operator error worth stopping for).
 */
export async function createMemoryTrustSource(input: MemoryTrustInput): Promise<TrustAnchorSource> {
  const source = input.source ?? "memory";
  const cscas = await trustCertificates(input.cscas ?? [], source);
  const dscs = await trustCertificates(input.dscs ?? [], source);
  const crls: TrustedCrl[] = [];
  for (const item of input.crls ?? []) {
    const crl = item instanceof Uint8Array ? parseCrl(item) : item;
    crls.push({ crl, fingerprintHex: await certificateFingerprint(crl.der), source });
  }
  return {
    findCscas: (query: CscaQuery) => Promise.resolve(matchCscaQuery(cscas, query)),
    findCrls: (query: CrlQuery) =>
      Promise.resolve(crls.filter((c) => c.crl.issuer.key === query.issuerName)),
    findDscs: (query: DscQuery) =>
      Promise.resolve(
        dscs.filter((d) =>
          query.skiHex
            ? d.certificate.skiHex === query.skiHex
            : d.certificate.serialHex === query.serialHex &&
              d.certificate.issuer.key === query.issuerName
        ),
      ),
  };
}

/** A source that trusts nothing (e.g. when no trust store is configured). */
export const EMPTY_TRUST_SOURCE: TrustAnchorSource = {
  findCscas: () => Promise.resolve([]),
  findCrls: () => Promise.resolve([]),
  findDscs: () => Promise.resolve([]),
};
