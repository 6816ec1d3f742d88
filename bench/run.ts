/**
 * `deno task bench`: runs every benchmark section and prints one report (and JSON with --json).
 * Each section measures its subject beside its floor (the bare operation) in the same run, so
 * ratios stay meaningful on any machine. `--only <name>` runs one section.
 */
import type { BenchSection } from "./section.ts";

/** Sections in the order they run; a missing module is reported, not fatal. */
export const SECTIONS: Array<{ name: string; module: string }> = [
  { name: "sessions", module: "./sessions_bench.ts" },
  { name: "growth", module: "./growth_bench.ts" },
  { name: "webhooks", module: "./webhooks_bench.ts" },
  { name: "passive_auth", module: "./passive_auth_bench.ts" },
  { name: "face", module: "./face_bench.ts" },
  { name: "face_thread", module: "./face_thread_bench.ts" },
  { name: "phones", module: "./phones_bench.ts" },
  { name: "chip", module: "./chip_bench.ts" },
];

function printSection(section: BenchSection): void {
  console.log(`\n## ${section.title}`);
  if (section.rows.length) {
    const columns = Object.keys(section.rows[0]);
    const widths = columns.map((c) =>
      Math.max(c.length, ...section.rows.map((r) => String(r[c] ?? "").length))
    );
    const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
    console.log(line(columns));
    console.log(line(widths.map((w) => "-".repeat(w))));
    for (const row of section.rows) console.log(line(columns.map((c) => String(row[c] ?? ""))));
  }
  for (const note of section.notes ?? []) console.log(`- ${note}`);
}

if (import.meta.main) {
  const only = Deno.args.includes("--only") ? Deno.args[Deno.args.indexOf("--only") + 1] : null;
  const json = Deno.args.includes("--json");
  const results: Record<string, BenchSection | { error: string }> = {};
  console.log(
    `Kayle ID benchmarks — ${new Date().toISOString()} — Deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} cores`,
  );
  for (const section of SECTIONS.filter((s) => !only || s.name === only)) {
    try {
      const mod = await import(section.module) as { bench: () => Promise<BenchSection> };
      const result = await mod.bench();
      results[section.name] = result;
      printSection(result);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results[section.name] = { error: message };
      console.log(`\n## ${section.name}\n- not run: ${message.split("\n")[0]}`);
    }
  }
  if (json) console.log(JSON.stringify(results, null, 2));
}
