/**
 * Trust store CLI.
 *
 *   deno task trust import <file> [--root <cert>]...   master list (.ml), LDIF, PEM or DER
 *   deno task trust list [--kind csca|dsc|crl]
 *
 * Opens the KV store at KAYLE_KV_PATH (default ./data/kayle.kv3). Master lists are imported only
 * when their signer chains to a --root whose SHA-256 fingerprint is pinned
 * (verify/trust/pinned_roots.ts or KAYLE_TRUST_ROOT_PINS).
 */
import { parseArgs } from "node:util";
import { basename, dirname } from "node:path";
import {
  type ImportSummary,
  importTrustFile,
  listTrustItems,
  type TrustKind,
} from "../verify/trust/mod.ts";

const USAGE =
  "usage: deno task trust import <file> [--root <cert>]... | deno task trust list [--kind csca|dsc|crl]";

/** Opens the project's KV store, creating its folder when needed. */
export async function openTrustKv(
  path = Deno.env.get("KAYLE_KV_PATH") ?? "./data/kayle.kv3",
): Promise<Deno.Kv> {
  if (path !== ":memory:") await Deno.mkdir(dirname(path), { recursive: true });
  return await Deno.openKv(path);
}

function printSummary(file: string, summary: ImportSummary): void {
  console.log(`\n${file}: ${summary.format}`);
  console.log(
    `imported ${summary.imported}, duplicates ${summary.duplicates}, rejected ${summary.rejected}`,
  );
  const rows = Object.entries(summary.byCountry).sort(([a], [b]) => a.localeCompare(b));
  for (const [country, c] of rows) {
    console.log(
      `  ${country.padEnd(3)} imported ${String(c.imported).padStart(4)}  duplicates ${
        String(c.duplicates).padStart(4)
      }  rejected ${String(c.rejected).padStart(4)}`,
    );
  }
  for (const [reason, n] of Object.entries(summary.reasons)) {
    console.log(`  rejected: ${reason} × ${n}`);
  }
}

async function runImport(kv: Deno.Kv, file: string, rootFiles: string[]): Promise<number> {
  const roots = await Promise.all(rootFiles.map((f) => Deno.readFile(f)));
  const encoder = new TextEncoder();
  const summary = await importTrustFile(kv, await Deno.readFile(file), {
    source: `file:${basename(file)}`,
    roots,
    onProgress: (done, total) => {
      if (done === total || done % 25 === 0) {
        Deno.stderr.writeSync(
          encoder.encode(`\rimporting ${done}/${total}${done === total ? "\n" : ""}`),
        );
      }
    },
  });
  printSummary(file, summary);
  return summary.imported + summary.duplicates > 0 || summary.rejected === 0 ? 0 : 1;
}

async function runList(kv: Deno.Kv, kind: TrustKind): Promise<number> {
  const items = await listTrustItems(kv, kind);
  items.sort((a, b) =>
    a.item.country.localeCompare(b.item.country) || a.item.subject.localeCompare(b.item.subject)
  );
  for (const { fingerprintHex, item } of items) {
    const validity = `${item.notBefore.slice(0, 10)}..${item.notAfter.slice(0, 10)}`;
    console.log(`${item.country.padEnd(3)} ${validity}  ${fingerprintHex}  ${item.subject}`);
  }
  console.log(`${items.length} ${kind}${items.length === 1 ? "" : "s"}`);
  return 0;
}

/** CLI entry; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      root: { type: "string", multiple: true },
      kind: { type: "string", default: "csca" },
    },
  });
  const [command, file] = positionals;
  if (command === "import" && file) {
    const kv = await openTrustKv();
    try {
      return await runImport(kv, file, values.root ?? []);
    } finally {
      kv.close();
    }
  }
  if (command === "list" && ["csca", "dsc", "crl"].includes(values.kind!)) {
    const kv = await openTrustKv();
    try {
      return await runList(kv, values.kind as TrustKind);
    } finally {
      kv.close();
    }
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
