/**
 * The trust store in Deno KV: plain functions over one `Deno.Kv`. Primary records are keyed by
 * SHA-256 fingerprint, with secondary indexes for the lookups passive authentication makes:
 *
 *   ["trust_cscas", fp]                          → StoredTrustItem
 *   ["trust_cscas_by_ski", skiHex, fp]           → fp
 *   ["trust_cscas_by_subject", nameHash, fp]     → fp
 *   ["trust_cscas_by_country", CC, fp]           → fp
 *   ["trust_dscs", fp], ["trust_dscs_by_issuer_serial", nameHash, serialHex, fp], ["trust_dscs_by_ski", skiHex, fp]
 *   ["trust_crls", fp], ["trust_crls_by_issuer", nameHash, fp]
 *
 *   ["trust_blobs", fp, i]                       → part i of a DER over 60 KB (large CRLs)
 *
 * Imports are idempotent: a primary is created only when absent, in the same atomic as its indexes.
 */
import {
  type Certificate,
  certificateFingerprint,
  concatBytes,
  type Crl,
  parseCertificate,
  parseCrl,
  toHex,
} from "../asn1/mod.ts";
import type {
  CrlQuery,
  CscaQuery,
  DscQuery,
  TrustAnchorSource,
  TrustedCertificate,
  TrustedCrl,
} from "./types.ts";

/** What is stored per certificate or CRL. */
export interface StoredTrustItem {
  /** The DER, or empty when it was too large for one KV value and is split into `chunks`. */
  der: Uint8Array;
  /** Number of `["trust_blobs", fp, i]` parts holding the DER (0 when `der` holds it). */
  chunks?: number;
  source: string;
  /** Display fields, so listing needs no parsing. */
  subject: string;
  country: string;
  notBefore: string;
  notAfter: string;
  importedAt: string;
}

/** Kinds of trust objects. */
export type TrustKind = "csca" | "dsc" | "crl";

const PRIMARY: Record<TrustKind, string> = {
  csca: "trust_cscas",
  dsc: "trust_dscs",
  crl: "trust_crls",
};

/**
 * The KV keys listed at the top of this module, so the store and the importer spell them the
 * same way. Index builders end in `Prefix`: an index entry is the prefix plus the fingerprint.
 */
export const trustKeys = {
  item: (kind: TrustKind, fingerprintHex: string) => [PRIMARY[kind], fingerprintHex] as const,
  itemsPrefix: (kind: TrustKind) => [PRIMARY[kind]] as const,
  blob: (fingerprintHex: string, part: number) => ["trust_blobs", fingerprintHex, part] as const,
  blobsPrefix: (fingerprintHex: string) => ["trust_blobs", fingerprintHex] as const,
  cscasBySkiPrefix: (skiHex: string) => ["trust_cscas_by_ski", skiHex] as const,
  cscasBySubjectPrefix: (nameHash: string) => ["trust_cscas_by_subject", nameHash] as const,
  cscasByCountryPrefix: (country: string) => ["trust_cscas_by_country", country] as const,
  dscsBySkiPrefix: (skiHex: string) => ["trust_dscs_by_ski", skiHex] as const,
  dscsByIssuerSerialPrefix: (nameHash: string, serialHex: string) =>
    ["trust_dscs_by_issuer_serial", nameHash, serialHex] as const,
  crlsByIssuerPrefix: (nameHash: string) => ["trust_crls_by_issuer", nameHash] as const,
};

/** Deno KV values are limited to 64 KiB; larger DER (big CRLs) is stored in parts. */
const CHUNK_SIZE = 60_000;

/** The DER of a stored item, reassembled from its parts when it was split. */
export async function storedDer(
  kv: Deno.Kv,
  fingerprintHex: string,
  item: StoredTrustItem,
): Promise<Uint8Array> {
  if (!item.chunks) return item.der;
  const parts: Uint8Array[] = [];
  for await (
    const entry of kv.list<Uint8Array>({ prefix: trustKeys.blobsPrefix(fingerprintHex) })
  ) {
    parts.push(entry.value);
  }
  return concatBytes(parts);
}

/** Short stable hash of a `Name.key`, used inside KV keys (names can be long). */
export async function nameKeyHash(nameKey: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(nameKey));
  return toHex(new Uint8Array(hash)).slice(0, 32);
}

async function indexKeys(
  kind: TrustKind,
  fp: string,
  item: Certificate | Crl,
): Promise<Deno.KvKey[]> {
  if (kind === "crl") {
    return [[...trustKeys.crlsByIssuerPrefix(await nameKeyHash(item.issuer.key)), fp]];
  }
  const cert = item as Certificate;
  const keys: Deno.KvKey[] = [];
  if (kind === "csca") {
    keys.push([...trustKeys.cscasBySubjectPrefix(await nameKeyHash(cert.subject.key)), fp]);
    keys.push([...trustKeys.cscasByCountryPrefix(cert.subject.country ?? "??"), fp]);
    if (cert.skiHex) keys.push([...trustKeys.cscasBySkiPrefix(cert.skiHex), fp]);
  } else {
    const issuerHash = await nameKeyHash(cert.issuer.key);
    keys.push([...trustKeys.dscsByIssuerSerialPrefix(issuerHash, cert.serialHex), fp]);
    if (cert.skiHex) keys.push([...trustKeys.dscsBySkiPrefix(cert.skiHex), fp]);
  }
  return keys;
}

/** Stores a parsed certificate or CRL; "duplicate" when the same DER is already there. */
export async function putTrustItem(
  kv: Deno.Kv,
  kind: TrustKind,
  item: Certificate | Crl,
  source: string,
  now: Date = new Date(),
): Promise<"imported" | "duplicate"> {
  const fp = await certificateFingerprint(item.der);
  const primary = trustKeys.item(kind, fp);
  const isCrl = kind === "crl";
  const cert = item as Certificate;
  const crl = item as Crl;
  const chunks = item.der.length > CHUNK_SIZE ? Math.ceil(item.der.length / CHUNK_SIZE) : 0;
  const record: StoredTrustItem = {
    der: chunks ? new Uint8Array() : item.der.slice(),
    chunks,
    source,
    subject: isCrl ? crl.issuer.text : cert.subject.text,
    country: (isCrl ? crl.issuer.country : cert.subject.country) ?? "??",
    notBefore: (isCrl ? crl.thisUpdate : cert.notBefore).toISOString(),
    notAfter: (isCrl ? crl.nextUpdate : cert.notAfter)?.toISOString() ?? "",
    importedAt: now.toISOString(),
  };
  let op = kv.atomic().check({ key: primary, versionstamp: null }).set(primary, record);
  for (const key of await indexKeys(kind, fp, item)) op = op.set(key, fp);
  for (let i = 0; i < chunks; i++) {
    op = op.set(trustKeys.blob(fp, i), item.der.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE));
  }
  const result = await op.commit();
  return result.ok ? "imported" : "duplicate";
}

/** Removes a stored item with its indexes and parts; false when it is not there. */
export async function removeTrustItem(
  kv: Deno.Kv,
  kind: TrustKind,
  fingerprintHex: string,
): Promise<boolean> {
  const primary = trustKeys.item(kind, fingerprintHex);
  const entry = await kv.get<StoredTrustItem>(primary);
  if (!entry.value) return false;
  const der = await storedDer(kv, fingerprintHex, entry.value);
  const item = kind === "crl" ? parseCrl(der) : parseCertificate(der);
  let op = kv.atomic().check(entry).delete(primary);
  for (const key of await indexKeys(kind, fingerprintHex, item)) op = op.delete(key);
  for (let i = 0; i < (entry.value.chunks ?? 0); i++) {
    op = op.delete(trustKeys.blob(fingerprintHex, i));
  }
  return (await op.commit()).ok;
}

/** True when the store trusts at least one CSCA (live verification can succeed). */
export async function hasAnyCsca(kv: Deno.Kv): Promise<boolean> {
  for await (const _ of kv.list({ prefix: trustKeys.itemsPrefix("csca") }, { limit: 1 })) {
    return true;
  }
  return false;
}

/** Lists stored items of a kind (fingerprint + record), in fingerprint order. */
export async function listTrustItems(
  kv: Deno.Kv,
  kind: TrustKind,
): Promise<Array<{ fingerprintHex: string; item: StoredTrustItem }>> {
  const out: Array<{ fingerprintHex: string; item: StoredTrustItem }> = [];
  for await (const entry of kv.list<StoredTrustItem>({ prefix: trustKeys.itemsPrefix(kind) })) {
    out.push({ fingerprintHex: String(entry.key[1]), item: entry.value });
  }
  return out;
}

/** Options of `createKvTrustSource`. */
export interface KvTrustSourceOptions {
  /**
   * How long a lookup's answer is reused (default 30 s; 0 disables). Trust material changes
   * rarely (an operator import), and skipping KV round trips keeps a document check close to
   * the cost of its signatures.
   */
  cacheTtlMs?: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

/** A KV-backed source whose lookup cache can be dropped (e.g. right after an import). */
export interface KvTrustSource extends TrustAnchorSource {
  clearCache(): void;
}

/** A `TrustAnchorSource` reading the KV store; parsed objects are cached per fingerprint. */
export function createKvTrustSource(
  kv: Deno.Kv,
  options: KvTrustSourceOptions = {},
): KvTrustSource {
  const ttl = options.cacheTtlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const parsed = new Map<string, TrustedCertificate | TrustedCrl>();
  const answers = new Map<string, { at: number; value: unknown[] }>();

  async function cached<T>(prefix: Deno.KvKey, fetch: () => Promise<T[]>): Promise<T[]> {
    const key = JSON.stringify(prefix);
    const hit = answers.get(key);
    if (hit && now() - hit.at < ttl) return hit.value as T[];
    const value = await fetch();
    if (ttl > 0) answers.set(key, { at: now(), value });
    return value;
  }

  /** Items of `kind` whose fingerprints are listed under `prefix`, parsed once each. */
  function load<T>(kind: TrustKind, prefix: Deno.KvKey, parse: (der: Uint8Array) => T) {
    return cached(prefix, async () => {
      const out: Array<T & { fingerprintHex: string; source: string }> = [];
      for await (const entry of kv.list<string>({ prefix })) {
        const fp = entry.value;
        let item = parsed.get(`${kind}:${fp}`) as
          | (T & { fingerprintHex: string; source: string })
          | undefined;
        if (!item) {
          const stored = await kv.get<StoredTrustItem>(trustKeys.item(kind, fp));
          if (!stored.value) continue;
          const der = await storedDer(kv, fp, stored.value);
          item = { ...parse(der), fingerprintHex: fp, source: stored.value.source };
          parsed.set(`${kind}:${fp}`, item as unknown as TrustedCertificate);
        }
        out.push(item);
      }
      return out;
    });
  }
  const certificate = (der: Uint8Array) => ({ certificate: parseCertificate(der) });
  const crl = (der: Uint8Array) => ({ crl: parseCrl(der) });

  return {
    clearCache: () => answers.clear(),
    async findCscas(query: CscaQuery) {
      if (query.skiHex) {
        return await load("csca", trustKeys.cscasBySkiPrefix(query.skiHex), certificate);
      }
      if (query.issuerName) {
        const hash = await nameKeyHash(query.issuerName);
        return await load("csca", trustKeys.cscasBySubjectPrefix(hash), certificate);
      }
      if (query.country) {
        return await load("csca", trustKeys.cscasByCountryPrefix(query.country), certificate);
      }
      return [];
    },
    async findDscs(query: DscQuery) {
      if (query.skiHex) {
        return await load("dsc", trustKeys.dscsBySkiPrefix(query.skiHex), certificate);
      }
      if (!query.issuerName || !query.serialHex) return [];
      const hash = await nameKeyHash(query.issuerName);
      return await load(
        "dsc",
        trustKeys.dscsByIssuerSerialPrefix(hash, query.serialHex),
        certificate,
      );
    },
    async findCrls(query: CrlQuery) {
      const hash = await nameKeyHash(query.issuerName);
      return await load("crl", trustKeys.crlsByIssuerPrefix(hash), crl);
    },
  };
}
