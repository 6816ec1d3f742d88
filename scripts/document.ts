/**
 * Operator CLI: runs the document checks on a folder of chip files, for debugging.
 *
 *   deno task document verify <folder> [--trust <file>]... [--at <ISO date>] [--json]
 *
 * The folder holds `EF_SOD.bin` and `DGn.bin` files (raw chip file contents), and optionally
 * `aa_challenge.bin` + `aa_signature.bin`. It runs the attempt pipeline's steps 1–3 — MRZ,
 * passive authentication (DG1 and DG2 covered and present) against the `--trust`
 * certificates/CRLs (PEM or DER) or, without `--trust`, the KV trust store at KAYLE_KV_PATH
 * (default ./data/kayle.kv3), document validity — at `--at` (default now; it moves certificate
 * validity too), then Active Authentication when the AA files are present. Data groups read but
 * not listed in the SOD are reported as `dg_not_covered`. Prints each check's name, status and
 * reason only: never MRZ values, names or dates of birth.
 * Exit code: 0 when every check that ran passed, 1 otherwise, 2 on a usage error.
 */
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseCertificate, parseCrl } from "../verify/asn1/mod.ts";
import {
  checkActiveAuthentication,
  checkDocumentCore,
  checkMrz,
} from "../verify/check_document.ts";
import { type CheckOutcome, outcome } from "../verify/result.ts";
import { createKvTrustSource } from "../verify/trust/kv_store.ts";
import { createMemoryTrustSource, EMPTY_TRUST_SOURCE } from "../verify/trust/memory_source.ts";
import { looksLikePem, parsePem } from "../verify/trust/pem.ts";
import type { TrustAnchorSource } from "../verify/trust/types.ts";

const USAGE =
  "usage: deno task document verify <folder> [--trust <file>]... [--at <ISO date>] [--json]";

/** A usage problem: printed with the usage line, exit code 2. */
class UsageError extends Error {}

/** The chip files of a folder, by the vectors' naming. */
export interface DocumentFolder {
  sod?: Uint8Array;
  dataGroups: Map<number, Uint8Array>;
  activeAuth?: { challenge: Uint8Array; signature: Uint8Array };
}

/** Reads `EF_SOD.bin`, every `DGn.bin` (1..16) and the optional AA files of a folder. */
export async function readDocumentFolder(folder: string): Promise<DocumentFolder> {
  const read = async (name: string) => {
    const path = join(folder, name);
    return existsSync(path) ? await Deno.readFile(path) : undefined;
  };
  const dataGroups = new Map<number, Uint8Array>();
  for (let dg = 1; dg <= 16; dg++) {
    const bytes = await read(`DG${dg}.bin`);
    if (bytes) dataGroups.set(dg, bytes);
  }
  const challenge = await read("aa_challenge.bin");
  const signature = await read("aa_signature.bin");
  const activeAuth = challenge && signature ? { challenge, signature } : undefined;
  return { sod: await read("EF_SOD.bin"), dataGroups, activeAuth };
}

function derObjects(bytes: Uint8Array): Uint8Array[] {
  const text = new TextDecoder().decode(bytes.subarray(0, 4096));
  return looksLikePem(text)
    ? parsePem(new TextDecoder().decode(bytes)).blocks.map((block) => block.der)
    : [bytes];
}

/** Builds an in-memory trust source from certificate and CRL files (PEM or DER). */
export async function trustFromFiles(files: string[]): Promise<TrustAnchorSource> {
  const cscas = [];
  const crls = [];
  for (const file of files) {
    for (const der of derObjects(await Deno.readFile(file))) {
      try {
        cscas.push(parseCertificate(der));
      } catch {
        try {
          crls.push(parseCrl(der));
        } catch {
          throw new UsageError(`--trust ${file}: neither a certificate nor a CRL`);
        }
      }
    }
  }
  return await createMemoryTrustSource({ cscas, crls, source: "cli" });
}

async function kvTrust(): Promise<{ trust: TrustAnchorSource; close: () => void; note: string }> {
  const path = Deno.env.get("KAYLE_KV_PATH") ?? "./data/kayle.kv3";
  const remote = /^https?:\/\//.test(path);
  if (!remote && path !== ":memory:" && !existsSync(path)) {
    // Opening would create an empty store as a side effect; an operator tool must not.
    return { trust: EMPTY_TRUST_SOURCE, close: () => {}, note: `no trust store at ${path}` };
  }
  const kv = await Deno.openKv(path);
  return { trust: createKvTrustSource(kv), close: () => kv.close(), note: `trust store ${path}` };
}

function parseAt(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--at ${value}: not an ISO date`);
  return at;
}

/** What the CLI found: the checks in the order docs/document-checks.md gives, and the data groups read but not covered. */
export interface FolderReport {
  checks: CheckOutcome[];
  /** Data groups present in the folder but not listed in the SOD: reported, never used. */
  notCovered: number[];
}

/**
 * Runs the attempt pipeline's own steps 1–3 (`checkDocumentCore`: DG1 and DG2 covered and
 * required, every certificate valid at `at`), stopping at the first failure; then Active
 * Authentication when the AA files are present, over the authenticated data groups only. Chip
 * Authentication needs a live chip and is not run here.
 */
export async function runFolderChecks(
  folder: DocumentFolder,
  trust: TrustAnchorSource,
  at: Date,
): Promise<FolderReport> {
  if (!folder.sod) {
    const parsed = folder.dataGroups.has(1) ? checkMrz(folder.dataGroups, at) : undefined;
    const checks = parsed ? [parsed.outcome] : [];
    checks.push(outcome.failed("passive_authentication", "sod_missing", "no EF_SOD.bin"));
    return { checks, notCovered: [...folder.dataGroups.keys()] };
  }
  const core = await checkDocumentCore({
    sod: folder.sod,
    dataGroups: folder.dataGroups,
    trust,
    at,
  });
  const checks = core.checks;
  if (core.passive) {
    const pa = checks.find((check) => check.check === "passive_authentication")!;
    const hashes = [...core.passive.dataGroupHashes.keys()].join(",") || "none";
    pa.detail = `${core.passive.revocation}; DG hashes matched: ${hashes}`;
  }
  const passed = checks.every((check) => check.status === "passed");
  if (folder.activeAuth && passed && core.passive) {
    const covered = new Set(core.passive.sod.dataGroupHashes.keys());
    checks.push(await checkActiveAuthentication(covered, core.authenticated, folder.activeAuth));
  }
  return { checks, notCovered: core.notCovered };
}

function printTable(report: FolderReport, note: string): void {
  console.log(note);
  console.log(`${"CHECK".padEnd(24)}${"STATUS".padEnd(9)}REASON`);
  for (const check of report.checks) {
    const reason = [check.reason, check.detail].filter(Boolean).join(": ");
    console.log(`${check.check.padEnd(24)}${check.status.padEnd(9)}${reason}`.trimEnd());
  }
  if (report.notCovered.length > 0) {
    const groups = report.notCovered.map((dg) => `DG${dg}`).join(",");
    console.log(`dg_not_covered: ${groups} (read, not listed in the SOD: not used)`);
  }
}

async function verifyCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      trust: { type: "string", multiple: true },
      at: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one folder");
  const at = parseAt(values.at);
  const folder = await readDocumentFolder(positionals[0]);
  const source = values.trust?.length
    ? { trust: await trustFromFiles(values.trust), close: () => {}, note: "trust: --trust files" }
    : await kvTrust();
  try {
    const report = await runFolderChecks(folder, source.trust, at);
    const ok = report.checks.every((check) => check.status !== "failed");
    if (values.json) {
      const dataGroupsNotCovered = report.notCovered;
      const json = { ok, at: at.toISOString(), checks: report.checks, dataGroupsNotCovered };
      console.log(JSON.stringify(json, null, 2));
    } else printTable(report, `${source.note}; at ${at.toISOString()}`);
    return ok ? 0 : 1;
  } finally {
    source.close();
  }
}

/** CLI entry; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  try {
    if (args[0] !== "verify") throw new UsageError("unknown command");
    return await verifyCommand(args.slice(1));
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    // node:util parseArgs reports unknown options as TypeError with a readable message.
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
