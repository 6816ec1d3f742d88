/**
 * The data-layer convention (ARCHITECTURE.md, "Data-layer convention"): every KV key is spelled by
 * its aggregate's keys object, so no product module writes a raw `["<table>", …]` array. The table
 * names are read from the keys objects themselves; a migration may spell the old layout it rewrites.
 */
import assert from "node:assert/strict";
import { accountKeys } from "../lib/accounts/kv_keys.ts";
import { apiKeyKeys } from "../lib/api_keys/api_keys.ts";
import { coreKeys } from "../lib/core/kv.ts";
import { eventKeys } from "../lib/events/events.ts";
import { handoffKeys } from "../lib/handoff/handoff.ts";
import { jobKeys } from "../lib/jobs/types.ts";
import { sessionKeys } from "../lib/sessions/types.ts";
import { trustKeys } from "../verify/trust/kv_store.ts";
import { webhookKeys } from "../webhooks/model.ts";

const KEYS_OBJECTS = [
  accountKeys,
  apiKeyKeys,
  coreKeys,
  eventKeys,
  handoffKeys,
  jobKeys,
  sessionKeys,
  trustKeys,
  webhookKeys,
];

/** Every table name a keys object writes (the first part of its keys). */
function tableNames(): Set<string> {
  const names = new Set<string>();
  for (const keys of KEYS_OBJECTS) {
    for (const build of Object.values(keys) as Array<(...args: unknown[]) => Deno.KvKey>) {
      for (const arg of ["x", "csca", "dsc", "crl"]) {
        const first = build(arg, arg, arg, arg)[0];
        if (typeof first === "string") names.add(first);
      }
    }
  }
  return names;
}

// The old layouts a migration reads are spelled where it reads them, on purpose.
const ALLOWED_FILES = new Set(["lib/migrations/mode_indexes.ts"]);

async function* productSources(root: URL, dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, root))) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory) yield* productSources(root, `${path}/`);
    else if (/\.tsx?$/.test(entry.name) && !/_test(_support)?\.tsx?$/.test(entry.name)) yield path;
  }
}

Deno.test("the keys objects name every table, and no product module spells a key by hand", async () => {
  const names = tableNames();
  for (const table of ["users", "sessions", "webhook_deliveries", "jobs_due", "trust_cscas"]) {
    assert.ok(names.has(table), `${table} is named by a keys object`);
  }
  const raw = new RegExp(`\\[\\s*"(${[...names].join("|")})"`);
  const root = new URL("../", import.meta.url);
  const hits: string[] = [];
  for (const dir of ["lib/", "routes/", "webhooks/", "verify/", "scripts/", "components/"]) {
    for await (const path of productSources(root, dir)) {
      if (ALLOWED_FILES.has(path)) continue;
      const lines = (await Deno.readTextFile(new URL(path, root))).split("\n");
      lines.forEach((line, i) => {
        const code = line.trim();
        if (/^(\*|\/\/|\/\*)/.test(code) || /\bas const\b/.test(code)) return;
        const next = lines[i + 1]?.trim() ?? "";
        // A key split over lines; a builder's own `[ … ] as const` aside.
        const closing = lines.slice(i + 1, i + 12).find((l) => /^\s*\]/.test(l)) ?? "";
        const split = /\[$/.test(code) && raw.test(`["${next.replace(/^"/, "")}`) &&
          !/\bas const\b/.test(closing);
        if (raw.test(code) || split) hits.push(`${path}:${i + 1}: ${code}`);
      });
    }
  }
  assert.deepEqual(hits, [], "spell these keys with their aggregate's keys object");
});

Deno.test("reading many keys goes through the one batched helper (lib/core/kv.ts)", async () => {
  const root = new URL("../", import.meta.url);
  const hits: string[] = [];
  for (const dir of ["lib/", "routes/", "webhooks/", "verify/", "scripts/"]) {
    for await (const path of productSources(root, dir)) {
      if (path === "lib/core/kv.ts") continue;
      const text = await Deno.readTextFile(new URL(path, root));
      // A hand-written batch: `getMany` over a slice of a longer list.
      if (/\.getMany\b[^;]*\.slice\(/s.test(text.replace(/;/g, ";\n"))) hits.push(path);
    }
  }
  assert.deepEqual(hits, [], "read many keys with getManyValues / getManyEntries");
});

Deno.test("records whose list indexes hold copies are written only with their copies", async () => {
  // Sessions, attempts, deliveries and events are listed from index entries that hold the record
  // (or its listing): a write of the record or of such an entry anywhere but its writer would
  // leave a list showing a stale copy (docs/performance.md, "Lists read one page").
  const writers = new Set([
    "lib/sessions/records.ts", // putSession, putAttempt
    "webhooks/deliveries.ts", // putDelivery
    "lib/events/events.ts", // addEventRecord
  ]);
  const copied = new RegExp(
    String
      .raw`\.set\(\s*(sessionKeys\.(session|attempt|byOrg|byOrgStatus|attemptByOrg|attemptByOrgStatus)` +
      String.raw`|webhookKeys\.(delivery|deliveryByOrg|deliveryByStatus|deliveryByEndpoint)` +
      String.raw`|eventKeys\.(event|byOrg|byOrgType))\(`,
    "g",
  );
  const root = new URL("../", import.meta.url);
  const hits: string[] = [];
  for (const dir of ["lib/", "routes/", "webhooks/", "verify/", "scripts/", "components/"]) {
    for await (const path of productSources(root, dir)) {
      // Migrations rewrite the layouts of earlier versions, whose entries hold ids.
      if (writers.has(path) || path.startsWith("lib/migrations/")) continue;
      const text = await Deno.readTextFile(new URL(path, root));
      for (const match of text.matchAll(copied)) {
        hits.push(`${path}:${text.slice(0, match.index).split("\n").length}: ${match[0]}`);
      }
    }
  }
  assert.deepEqual(
    hits,
    [],
    "write these with putSession / putAttempt / putDelivery / addEventRecord",
  );
});
