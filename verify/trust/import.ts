/**
 * Imports trust material into KV: CSCA master lists (signature verified, signer chained to a root
 * that is pinned by fingerprint), ICAO PKD LDIF files (CSCAs, DSCs, CRLs, master lists) and
 * PEM/DER certificates or CRLs. Every object is counted as imported, duplicate or rejected (with
 * a reason), per country.
 */
import {
  type Certificate,
  certificateFingerprint,
  derOid,
  isSelfIssued,
  parseCertificate,
  parseCrl,
  parseTlv,
  readTlv,
} from "../asn1/mod.ts";
import {
  MasterListError,
  OID_CSCA_MASTER_LIST,
  parseMasterList,
  verifyMasterList,
} from "../cms/mod.ts";
import { putTrustItem, type TrustKind } from "./kv_store.ts";
import { extractTrustObjects, LdifError, parseLdif } from "./ldif.ts";
import { looksLikePem, parsePem } from "./pem.ts";
import { pinnedRootFingerprints } from "./pinned_roots.ts";

/** Options of every import. */
export interface ImportOptions {
  /** Label stored with each object, e.g. "masterlist:DE_ML_2026-05-28.ml". */
  source: string;
  /** DER certificates offered as master-list roots (`--root`). */
  roots?: Uint8Array[];
  /** Pinned root fingerprints; default `pinnedRootFingerprints()`. */
  pins?: Set<string>;
  /** Called after each object with (done, total). */
  onProgress?: (done: number, total: number) => void;
  now?: Date;
}

/** Per-country counters. */
export interface ImportCounts {
  imported: number;
  duplicates: number;
  rejected: number;
}

/** Summary of one import. */
export interface ImportSummary extends ImportCounts {
  format: "master_list" | "ldif" | "pem" | "der_certificate" | "der_crl" | "unknown";
  byCountry: Record<string, ImportCounts>;
  /** Rejection reason → count (e.g. "root_not_pinned", "certificate_malformed"). */
  reasons: Record<string, number>;
}

function emptySummary(format: ImportSummary["format"]): ImportSummary {
  return { format, imported: 0, duplicates: 0, rejected: 0, byCountry: {}, reasons: {} };
}

function count(
  summary: ImportSummary,
  country: string,
  outcome: keyof ImportCounts,
  reason?: string,
): void {
  summary[outcome]++;
  const row = summary.byCountry[country] ??= { imported: 0, duplicates: 0, rejected: 0 };
  row[outcome]++;
  if (reason) summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
}

/** CA certificates (CSCAs and link certificates) are anchors; others are DSCs. */
export function classifyCertificate(cert: Certificate): "csca" | "dsc" {
  return cert.isCa || isSelfIssued(cert) ? "csca" : "dsc";
}

async function importCertificateDer(
  kv: Deno.Kv,
  der: Uint8Array,
  summary: ImportSummary,
  options: ImportOptions,
  kind?: TrustKind,
): Promise<void> {
  let cert: Certificate;
  try {
    cert = parseCertificate(der);
  } catch {
    return count(summary, "??", "rejected", "certificate_malformed");
  }
  const outcome = await putTrustItem(
    kv,
    kind ?? classifyCertificate(cert),
    cert,
    options.source,
    options.now,
  );
  count(summary, cert.subject.country ?? "??", outcome === "imported" ? "imported" : "duplicates");
}

async function importCrlDer(
  kv: Deno.Kv,
  der: Uint8Array,
  summary: ImportSummary,
  options: ImportOptions,
): Promise<void> {
  try {
    const crl = parseCrl(der);
    const outcome = await putTrustItem(kv, "crl", crl, options.source, options.now);
    count(summary, crl.issuer.country ?? "??", outcome === "imported" ? "imported" : "duplicates");
  } catch {
    count(summary, "??", "rejected", "crl_malformed");
  }
}

/** The offered roots whose fingerprints are pinned. */
export async function pinnedRoots(roots: Uint8Array[], pins: Set<string>): Promise<Certificate[]> {
  const out: Certificate[] = [];
  for (const der of roots) {
    if (!pins.has(await certificateFingerprint(der))) continue;
    try {
      out.push(parseCertificate(der));
    } catch {
      // A pinned but unreadable root is as good as none.
    }
  }
  return out;
}

/** Imports a CSCA master list after verifying it against a pinned root. */
export async function importMasterList(
  kv: Deno.Kv,
  bytes: Uint8Array,
  options: ImportOptions,
  summary = emptySummary("master_list"),
): Promise<ImportSummary> {
  let ml;
  try {
    ml = parseMasterList(bytes);
  } catch (error) {
    count(
      summary,
      "??",
      "rejected",
      error instanceof MasterListError ? error.code : "master_list_malformed",
    );
    return summary;
  }
  const roots = await pinnedRoots(options.roots ?? [], options.pins ?? pinnedRootFingerprints());
  if (roots.length === 0) {
    count(
      summary,
      "??",
      "rejected",
      options.roots?.length ? "root_not_pinned" : "master_list_root_missing",
    );
    return summary;
  }
  const verification = await verifyMasterList(ml, roots);
  if (!verification.ok) {
    count(summary, "??", "rejected", verification.reason);
    return summary;
  }
  for (const [index, der] of ml.certificates.entries()) {
    await importCertificateDer(kv, der, summary, options, "csca");
    options.onProgress?.(index + 1, ml.certificates.length);
  }
  return summary;
}

/** Imports an ICAO PKD LDIF file (certificates, CRLs and master lists). */
export async function importLdif(
  kv: Deno.Kv,
  text: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary = emptySummary("ldif");
  let objects;
  try {
    objects = extractTrustObjects(parseLdif(text));
  } catch (error) {
    count(summary, "??", "rejected", error instanceof LdifError ? error.code : "ldif_malformed");
    return summary;
  }
  const total = objects.certificates.length + objects.crls.length + objects.masterLists.length;
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  for (const der of objects.certificates) {
    await importCertificateDer(kv, der, summary, options).then(step);
  }
  for (const der of objects.crls) await importCrlDer(kv, der, summary, options).then(step);
  for (const ml of objects.masterLists) {
    await importMasterList(kv, ml, { ...options, onProgress: undefined }, summary).then(step);
  }
  return summary;
}

function isMasterList(bytes: Uint8Array): boolean {
  try {
    // The eContentType OID sits in the first bytes; finding it avoids a full parse just to sniff.
    const oid = derOid(OID_CSCA_MASTER_LIST);
    const head = bytes.subarray(0, 160);
    return readTlv(bytes).tag === 0x30 &&
      head.some((_, i) => oid.every((b, j) => head[i + j] === b));
  } catch {
    return false;
  }
}

/** Imports a file of any supported format, detected from its content. */
export async function importTrustFile(
  kv: Deno.Kv,
  bytes: Uint8Array,
  options: ImportOptions,
): Promise<ImportSummary> {
  if (isMasterList(bytes)) return await importMasterList(kv, bytes, options);
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 4096));
  if (looksLikePem(text)) return await importPem(kv, new TextDecoder().decode(bytes), options);
  if (/^(version:|dn:|#)/m.test(text)) {
    return await importLdif(kv, new TextDecoder().decode(bytes), options);
  }
  const summary = emptySummary("der_certificate");
  try {
    parseCertificate(bytes);
  } catch {
    try {
      parseTlv(bytes);
      summary.format = "der_crl";
      await importCrlDer(kv, bytes, summary, options);
    } catch {
      summary.format = "unknown";
      count(summary, "??", "rejected", "unrecognised_format");
    }
    return summary;
  }
  await importCertificateDer(kv, bytes, summary, options);
  return summary;
}

async function importPem(
  kv: Deno.Kv,
  text: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary = emptySummary("pem");
  const { blocks, broken } = parsePem(text);
  for (let i = 0; i < broken; i++) count(summary, "??", "rejected", "pem_malformed");
  for (const [index, block] of blocks.entries()) {
    if (block.label.includes("CRL")) await importCrlDer(kv, block.der, summary, options);
    else if (block.label.includes("CERTIFICATE")) {
      await importCertificateDer(kv, block.der, summary, options);
    } else count(summary, "??", "rejected", "pem_unsupported_label");
    options.onProgress?.(index + 1, blocks.length);
  }
  return summary;
}
