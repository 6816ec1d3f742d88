/**
 * Trust store CLI.
 *
 *   deno task trust import <file> [--root <cert>]... [--anchor] [--allow-expired]
 *   deno task trust list [--kind csca|dsc|crl]
 *
 * Opens the KV store at KAYLE_KV_PATH (default ./data/kayle.kv3). Master lists are imported only
 * when their signer chains to a --root whose SHA-256 fingerprint is pinned
 * (verify/trust/pinned_roots.ts or KAYLE_TRUST_ROOT_PINS), and signer and root are valid today
 * (`--allow-expired` overrides that). A CA certificate of an LDIF, PEM or DER file becomes an
 * anchor only when it chains to a trusted anchor or pinned root, or with `--anchor`; each new
 * anchor is printed with its country, validity, SHA-256 fingerprint and subject.
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
  "usage: deno task trust import <file> [--root <cert>]... [--anchor] [--allow-expired] | deno task trust list [--kind csca|dsc|crl]";

/** Opens the project's KV store, creating its folder when needed. */
export async function openTrustKv(
  path = Deno.env.get("KAYLE_KV_PATH") ?? "./data/kayle.kv3",
): Promise<Deno.Kv> {
  if (path !== ":memory:") await Deno.mkdir(dirname(path), { recursive: true });
  return await Deno.openKv(path);
}

function printSummary(file: string, summary: ImportSummary): void {
  console.log(`\n${file}: ${summary.format}`);
  for (const anchor of summary.anchors) {
    const validity = `${anchor.notBefore.slice(0, 10)}..${anchor.notAfter.slice(0, 10)}`;
    console.log(
      `new anchor: ${
        anchor.country.padEnd(3)
      } ${validity}  ${anchor.fingerprintHex}  ${anchor.subject}`,
    );
  }
  console.log(
    `added ${summary.added}, already present ${summary.alreadyPresent}, expired ${summary.expired}, skipped ${summary.skipped}`,
  );
  const rows = Object.entries(summary.byCountry).sort(([a], [b]) => a.localeCompare(b));
  const n = (value: number) => String(value).padStart(4);
  for (const [country, c] of rows) {
    console.log(
      `  ${country.padEnd(3)} added ${n(c.added)}  already present ${
        n(c.alreadyPresent)
      }  expired ${n(c.expired)}  skipped ${n(c.skipped)}`,
    );
  }
  for (const [reason, count] of Object.entries(summary.reasons)) {
    console.log(`  skipped: ${reason} × ${count}`);
  }
  for (const message of summary.messages) console.log(`  ${message}`);
}

interface ImportFlags {
  roots: string[];
  anchor: boolean;
  allowExpired: boolean;
}

async function runImport(kv: Deno.Kv, file: string, flags: ImportFlags): Promise<number> {
  const roots = await Promise.all(flags.roots.map((f) => Deno.readFile(f)));
  const encoder = new TextEncoder();
  const summary = await importTrustFile(kv, await Deno.readFile(file), {
    source: `file:${basename(file)}`,
    roots,
    anchor: flags.anchor,
    allowExpired: flags.allowExpired,
    onProgress: (done, total) => {
      if (done === total || done % 25 === 0) {
        Deno.stderr.writeSync(
          encoder.encode(`\rimporting ${done}/${total}${done === total ? "\n" : ""}`),
        );
      }
    },
  });
  printSummary(file, summary);
  const useful = summary.added + summary.alreadyPresent + summary.expired;
  return useful > 0 || summary.skipped === 0 ? 0 : 1;
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
      anchor: { type: "boolean", default: false },
      "allow-expired": { type: "boolean", default: false },
      kind: { type: "string", default: "csca" },
    },
  });
  const [command, file] = positionals;
  if (command === "import" && file) {
    // Every file named must be there before anything is imported: one clear line, not a trace.
    for (const path of [file, ...(values.root ?? [])]) {
      const missing = await Deno.stat(path).then(() => false, () => true);
      if (missing) {
        console.error(`trust: cannot read ${path}: no such file (check the path).`);
        return 2;
      }
    }
    const kv = await openTrustKv();
    try {
      return await runImport(kv, file, {
        roots: values.root ?? [],
        anchor: values.anchor ?? false,
        allowExpired: values["allow-expired"] ?? false,
      });
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
