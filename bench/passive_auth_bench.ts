/**
 * Passive authentication per document (RSA, RSA-PSS, P-256, brainpool) beside its floor: the bare
 * signature verifications it contains (SOD signature + DSC certificate signature), measured in
 * the same run; plus the DE master-list import time into an in-memory KV.
 *
 *   deno run -A --unstable-kv bench/passive_auth_bench.ts   prints the section as JSON
 */
import { parseCertificate } from "../verify/asn1/mod.ts";
import { checkSignatureOnly, parseSod } from "../verify/cms/mod.ts";
import { isSignedBy } from "../verify/crypto/mod.ts";
import { passiveAuthenticate } from "../verify/passive/mod.ts";
import { readVector, readVectorJson } from "../verify/vectors_test_support.ts";
import {
  createKvTrustSource,
  importMasterList,
  type TrustAnchorSource,
} from "../verify/trust/mod.ts";
import { type BenchSection, median, percentile, round } from "./section.ts";

const DOCUMENTS = [
  { country: "US", kind: "RSA-2048 PKCS#1 (rsaEncryption)" },
  { country: "MY", kind: "RSA-2048 RSASSA-PSS" },
  { country: "UK", kind: "ECDSA P-256 (DSC by P-384)" },
  { country: "DE", kind: "ECDSA brainpoolP384r1 (DSC by bP512r1)" },
];
const RUNS = 40;
const WARMUP = 3;

/** Times two operations alternately (after warm-up) so machine load drifts affect both alike. */
async function timeInterleaved(
  runs: number,
  first: () => Promise<unknown>,
  second: () => Promise<unknown>,
): Promise<[number[], number[]]> {
  for (let i = 0; i < WARMUP; i++) await Promise.all([first(), second()]);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    await first();
    a.push(performance.now() - start);
    start = performance.now();
    await second();
    b.push(performance.now() - start);
  }
  return [a, b];
}

async function importGermanList(): Promise<{ kv: Deno.Kv; ms: number[] }> {
  const bytes = readVector("masterlists/DE_ML_2026-05-28-08-28-45.ml");
  const roots = [readVector("masterlists/DE_ROOT_CA_CSCA07.der")];
  const ms: number[] = [];
  let kv: Deno.Kv | undefined;
  for (let i = 0; i < 3; i++) {
    kv?.close();
    kv = await Deno.openKv(":memory:");
    const start = performance.now();
    const summary = await importMasterList(kv, bytes, { source: "bench", roots });
    ms.push(performance.now() - start);
    if (summary.added + summary.expired !== 588) {
      throw new Error(`bench: expected 588 CSCAs, got ${summary.added + summary.expired}`);
    }
  }
  return { kv: kv!, ms };
}

async function measureDocument(
  country: string,
  kind: string,
  trust: TrustAnchorSource,
): Promise<Record<string, string | number>> {
  const folder = `gmrtd-real/${country}`;
  const sodBytes = readVector(`${folder}/EF_SOD.bin`);
  const expected = readVectorJson<{ dsc: { not_before: string } }>(`${folder}/expected.json`);
  const at = new Date(Date.parse(expected.dsc.not_before) + 86_400_000);
  const sod = parseSod(sodBytes);
  const dsc = sod.certificates[0];
  const csca = parseCertificate(readVector(`${folder}/CSCA.der`));
  const [whole, bare] = await timeInterleaved(
    RUNS,
    async () => {
      const result = await passiveAuthenticate({
        sod: sodBytes,
        dataGroups: new Map(),
        trust,
        at,
        requiredDataGroups: [],
      });
      if (!result.ok) throw new Error(`bench: ${country} failed with ${result.reason}`);
    },
    async () => {
      const sodSignature = await checkSignatureOnly(sod.signerInfo, dsc.spki);
      const dscSignature = await isSignedBy(dsc, csca.spki);
      if (!sodSignature.ok || !dscSignature) {
        throw new Error(`bench: ${country} bare signature failed`);
      }
    },
  );
  return {
    document: country,
    signature: kind,
    "passive auth median ms": round(median(whole)),
    "passive auth p90 ms": round(percentile(whole, 90)),
    "bare signatures median ms": round(median(bare)),
    "whole / bare": round(median(whole) / median(bare)),
  };
}

/** Runs the passive-authentication benchmark. */
export async function bench(): Promise<BenchSection> {
  const title = "Passive authentication";
  const { kv, ms } = await importGermanList();
  try {
    const trust = createKvTrustSource(kv);
    const rows = [];
    for (const doc of DOCUMENTS) rows.push(await measureDocument(doc.country, doc.kind, trust));
    const worst = Math.max(...rows.map((r) => Number(r["whole / bare"])));
    return {
      title,
      rows,
      notes: [
        `${RUNS} interleaved runs per document after ${WARMUP} warm-up runs; trust store = DE master list in in-memory KV (30 s lookup cache)`,
        `bare = SOD signature over signedAttrs + DSC certificate signature, same run; worst whole/bare ${
          round(worst)
        } (goal ≤ 1.5)`,
        `DE master list import (588 CSCAs, signature + pinned root verified) median ${
          round(median(ms), 0)
        } ms over ${ms.length} runs`,
        `machine: ${navigator.hardwareConcurrency} logical CPUs, Deno ${Deno.version.deno}`,
      ],
    };
  } finally {
    kv.close();
  }
}

if (import.meta.main) console.log(JSON.stringify(await bench(), null, 2));
