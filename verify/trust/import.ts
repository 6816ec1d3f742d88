/**
 * Imports trust material into KV: CSCA master lists (signature verified, signer chained to a root
 * that is pinned by fingerprint, both valid at import time with the right key usage), ICAO PKD
 * LDIF files (CSCAs, DSCs, CRLs, master lists) and PEM/DER certificates or CRLs, under the
 * admission rules of `admission.ts`. Every object is counted as added, already present, expired
 * or skipped (with a reason), per country; every new anchor is reported (docs/trust-store.md).
 */
import {
  type Certificate,
  certificateFingerprint,
  derOid,
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
import {
  ADMISSION_MESSAGES,
  type AdmissionReason,
  chainsToTrusted,
  checkCrlIssuer,
  checkMasterListSigner,
} from "./admission.ts";
import { putTrustItem, trustKeys, type TrustKind } from "./kv_store.ts";
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
  /** `--anchor`: the operator vouches for every CA certificate of this LDIF, PEM or DER file. */
  anchor?: boolean;
  /** `--allow-expired`: import a master list whose signer or root is not valid today. */
  allowExpired?: boolean;
  /** Called after each object with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Import time: validity of master-list signers, roots and certificates is judged at it. */
  now?: Date;
}

/** Per-country counters. */
export interface ImportCounts {
  added: number;
  alreadyPresent: number;
  /** Certificates whose validity ended before the import time: not stored. */
  expired: number;
  skipped: number;
}

/** A new anchor, as the import prints it. */
export interface NewAnchor {
  country: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  fingerprintHex: string;
}

/** Summary of one import. */
export interface ImportSummary extends ImportCounts {
  format: "master_list" | "ldif" | "pem" | "der_certificate" | "der_crl" | "unknown";
  byCountry: Record<string, ImportCounts>;
  /** Skip reason → count (e.g. "root_not_pinned", "anchor_not_confirmed"). */
  reasons: Record<string, number>;
  /** Each new trust anchor (CSCA or link certificate) this import added. */
  anchors: NewAnchor[];
  /** Actionable explanations of the refusals, one per distinct reason. */
  messages: string[];
}

function emptySummary(format: ImportSummary["format"]): ImportSummary {
  return {
    format,
    added: 0,
    alreadyPresent: 0,
    expired: 0,
    skipped: 0,
    byCountry: {},
    reasons: {},
    anchors: [],
    messages: [],
  };
}

/** One actionable sentence for a file that is refused as a whole. */
const FILE_MESSAGES: Readonly<Record<string, string>> = {
  unrecognised_format:
    "the file is none of a master list, an LDIF with dn: entries, PEM, or a DER certificate or CRL",
  ldif_malformed: "the LDIF file could not be read: download it again from the PKD",
  ldif_bad_base64: "the LDIF file holds a base64 value that does not decode: download it again",
  ldif_unsupported: "the LDIF file uses a feature this reader does not support (RFC 2849 URLs)",
};

function count(
  summary: ImportSummary,
  country: string,
  outcome: keyof ImportCounts,
  reason?: string,
  detail?: string,
): void {
  summary[outcome]++;
  const row = summary.byCountry[country] ??= {
    added: 0,
    alreadyPresent: 0,
    expired: 0,
    skipped: 0,
  };
  row[outcome]++;
  if (!reason) return;
  summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
  const message = ADMISSION_MESSAGES[reason as AdmissionReason] ?? FILE_MESSAGES[reason];
  if (message && summary.reasons[reason] === 1) {
    summary.messages.push(`${reason}: ${message}${detail ? ` (${detail})` : ""}`);
  }
}

/** CA certificates (basicConstraints cA=TRUE) are anchors; others are DSCs. */
export function classifyCertificate(cert: Certificate): "csca" | "dsc" {
  return cert.isCa ? "csca" : "dsc";
}

/** How a certificate came: vouched for by a verified master list, or from a plain file. */
type Provenance = "master_list" | "file";

async function importCertificateDer(
  kv: Deno.Kv,
  der: Uint8Array,
  summary: ImportSummary,
  options: ImportOptions,
  provenance: Provenance,
): Promise<void> {
  let cert: Certificate;
  try {
    cert = parseCertificate(der);
  } catch {
    return count(summary, "??", "skipped", "certificate_malformed");
  }
  const country = cert.subject.country ?? "??";
  const kind: TrustKind = provenance === "master_list" ? "csca" : classifyCertificate(cert);
  const fingerprintHex = await certificateFingerprint(der);
  if ((await kv.get(trustKeys.item(kind, fingerprintHex))).versionstamp !== null) {
    return count(summary, country, "alreadyPresent");
  }
  const now = options.now ?? new Date();
  if (cert.notAfter < now) return count(summary, country, "expired");
  if (kind === "csca" && provenance === "file" && !options.anchor) {
    const pins = options.pins ?? pinnedRootFingerprints();
    const roots = await pinnedRoots(options.roots ?? [], pins);
    if (!(await chainsToTrusted(kv, cert, fingerprintHex, pins, roots))) {
      return count(summary, country, "skipped", "anchor_not_confirmed");
    }
  }
  const outcome = await putTrustItem(kv, kind, cert, options.source, now);
  if (outcome === "duplicate") return count(summary, country, "alreadyPresent");
  count(summary, country, "added");
  if (kind === "csca") {
    summary.anchors.push({
      country,
      subject: cert.subject.text,
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      fingerprintHex,
    });
  }
}

async function importCrlDer(
  kv: Deno.Kv,
  der: Uint8Array,
  summary: ImportSummary,
  options: ImportOptions,
): Promise<void> {
  let crl;
  try {
    crl = parseCrl(der);
  } catch {
    return count(summary, "??", "skipped", "crl_malformed");
  }
  const country = crl.issuer.country ?? "??";
  const refused = await checkCrlIssuer(kv, crl);
  if (refused) return count(summary, country, "skipped", refused, crl.issuer.text);
  const outcome = await putTrustItem(kv, "crl", crl, options.source, options.now);
  count(summary, country, outcome === "imported" ? "added" : "alreadyPresent");
}

/** The offered roots whose fingerprints are pinned. */
export async function pinnedRoots(
  roots: Uint8Array[],
  pins: ReadonlySet<string>,
): Promise<Certificate[]> {
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

/** Imports a CSCA master list after verifying it against a pinned root valid at import time. */
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
    const reason = error instanceof MasterListError ? error.code : "master_list_malformed";
    count(summary, "??", "skipped", reason);
    return summary;
  }
  const roots = await pinnedRoots(options.roots ?? [], options.pins ?? pinnedRootFingerprints());
  if (roots.length === 0) {
    const reason = options.roots?.length ? "root_not_pinned" : "master_list_root_missing";
    count(summary, "??", "skipped", reason);
    return summary;
  }
  const verification = await verifyMasterList(ml, roots);
  if (!verification.ok) {
    count(summary, "??", "skipped", verification.reason);
    return summary;
  }
  const refused = checkMasterListSigner(
    verification.signer,
    verification.root,
    options.now ?? new Date(),
    options.allowExpired ?? false,
  );
  if (refused) {
    count(summary, "??", "skipped", refused.reason, refused.detail);
    return summary;
  }
  for (const [index, der] of ml.certificates.entries()) {
    await importCertificateDer(kv, der, summary, options, "master_list");
    options.onProgress?.(index + 1, ml.certificates.length);
  }
  return summary;
}

/**
 * Imports an ICAO PKD LDIF file: master lists first (they vouch for CSCAs), then certificates
 * (a CA certificate becomes an anchor only under the admission rules, retried until no more
 * chain, so a link certificate may precede its issuer), then CRLs (their issuer must be trusted).
 */
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
    if (!(error instanceof LdifError)) {
      count(summary, "??", "skipped", "ldif_malformed");
      return summary;
    }
    // The message after its code: where the file broke ("line 3: no attribute name").
    count(summary, "??", "skipped", error.code, error.message.slice(error.code.length + 2));
    return summary;
  }
  const total = objects.certificates.length + objects.crls.length + objects.masterLists.length;
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  for (const ml of objects.masterLists) {
    await importMasterList(kv, ml, { ...options, onProgress: undefined }, summary).then(step);
  }
  await importCertificates(kv, objects.certificates, summary, options, step);
  for (const der of objects.crls) await importCrlDer(kv, der, summary, options).then(step);
  return summary;
}

/** True when `der` is a file CA certificate that may not (yet) become an anchor. */
async function unconfirmedAnchor(
  kv: Deno.Kv,
  der: Uint8Array,
  options: ImportOptions,
): Promise<boolean> {
  let cert: Certificate;
  try {
    cert = parseCertificate(der);
  } catch {
    return false;
  }
  if (classifyCertificate(cert) !== "csca" || options.anchor) return false;
  if (cert.notAfter < (options.now ?? new Date())) return false;
  const fingerprintHex = await certificateFingerprint(der);
  if ((await kv.get(trustKeys.item("csca", fingerprintHex))).versionstamp !== null) return false;
  const pins = options.pins ?? pinnedRootFingerprints();
  const roots = await pinnedRoots(options.roots ?? [], pins);
  return !(await chainsToTrusted(kv, cert, fingerprintHex, pins, roots));
}

/** Imports file certificates; unconfirmed anchors are retried while others still get trusted. */
async function importCertificates(
  kv: Deno.Kv,
  certificates: Uint8Array[],
  summary: ImportSummary,
  options: ImportOptions,
  step: () => void = () => {},
): Promise<void> {
  let pending = certificates;
  while (pending.length > 0) {
    const retry: Uint8Array[] = [];
    for (const der of pending) {
      if (await unconfirmedAnchor(kv, der, options)) retry.push(der);
      else {
        await importCertificateDer(kv, der, summary, options, "file");
        step();
      }
    }
    if (retry.length === pending.length) {
      // Nothing more chains: count the rest (skipped as anchor_not_confirmed).
      for (const der of retry) {
        await importCertificateDer(kv, der, summary, options, "file");
        step();
      }
      return;
    }
    pending = retry;
  }
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

function isSingleDer(bytes: Uint8Array): boolean {
  try {
    return bytes[0] === 0x30 && readTlv(bytes).end === bytes.length;
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
  // A single DER object is recognised before any text sniffing: binary bytes can contain a line
  // that starts like LDIF ("\n#", "\ndn:").
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 4096));
  if (!isSingleDer(bytes)) {
    if (looksLikePem(text)) return await importPem(kv, new TextDecoder().decode(bytes), options);
    // An LDIF of trust objects has entries, each starting with `dn:`; comment lines (`#`) alone
    // make no LDIF (a Markdown file starts with them).
    if (/^(version:|dn::?)/m.test(text)) {
      return await importLdif(kv, new TextDecoder().decode(bytes), options);
    }
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
      count(summary, "??", "skipped", "unrecognised_format");
    }
    return summary;
  }
  await importCertificateDer(kv, bytes, summary, options, "file");
  return summary;
}

async function importPem(
  kv: Deno.Kv,
  text: string,
  options: ImportOptions,
): Promise<ImportSummary> {
  const summary = emptySummary("pem");
  const { blocks, broken } = parsePem(text);
  for (let i = 0; i < broken; i++) count(summary, "??", "skipped", "pem_malformed");
  const certificates = blocks.filter((b) => b.label.includes("CERTIFICATE")).map((b) => b.der);
  await importCertificates(kv, certificates, summary, options);
  for (const block of blocks) {
    if (block.label.includes("CRL")) await importCrlDer(kv, block.der, summary, options);
    else if (!block.label.includes("CERTIFICATE")) {
      count(summary, "??", "skipped", "pem_unsupported_label");
    }
  }
  options.onProgress?.(blocks.length, blocks.length);
  return summary;
}
