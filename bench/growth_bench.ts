/**
 * Cost stays flat as history grows (issue 15): for each size N (1k, 10k, 100k; `--growth-max` or
 * `BENCH_GROWTH_MAX` caps it on a slow machine) a fresh KV file gets an organization with N
 * completed sessions, each with an attempt, an event and a delivery (written in the current key
 * layout), and an empty organization; the 30 oldest attempts and deliveries failed (the
 * deliveries to a second endpoint), so a filter on them finds its matches at the far end of the
 * history. Then, against `main.ts` in its own process:
 *
 * - each list call (`GET /v1/webhooks/events?limit=10`, `…&type=`, `/v1/sessions?limit=10`,
 *   `…&status=`, `/v1/sessions/attempts?limit=10`, `…&status=failed`,
 *   `/v1/webhooks/deliveries?limit=10`, `…&status=failed`, `…&endpoint_id=`) of the big
 *   organization beside the same call of the empty one (median of 31, the organizations taking turns) — goal: within 2×;
 * - the expiry sweep and retention, in-process with a manual clock, on 2 000 due sessions beside
 *   that history — goals: ≥ 10 000 expired a minute, retention ≥ 200 000 a day.
 */
import { type BenchSection, median, round } from "./section.ts";
import { BENCH_SERVER_KEY, startServerProcess } from "./server.ts";
import { testConfig } from "../lib/core/config.ts";
import { createDeps } from "../lib/bootstrap.ts";
import { ManualClock } from "../lib/core/clock.ts";
import { silentLogger } from "../lib/core/logger.ts";
import { createOrganization } from "../lib/accounts/organizations.ts";
import { createApiKey } from "../lib/api_keys/api_keys.ts";
import type { AppDeps } from "../lib/deps.ts";
import { addEventRecord, type EventRecord } from "../lib/events/events.ts";
import { putAttempt, putSession } from "../lib/sessions/records.ts";
import { createSession } from "../lib/sessions/sessions.ts";
import type { AttemptRecord, SessionRecord } from "../lib/sessions/types.ts";
import { addDeliveryToCommit } from "../webhooks/deliveries.ts";
import { createEndpoint } from "../webhooks/endpoints.ts";
import type { DeliveryRecord } from "../webhooks/model.ts";
import { wireWebhooks } from "../webhooks/register.ts";
import { runMigrations } from "../lib/migrations/mod.ts";
import { migrateStatusIndexes } from "../lib/migrations/status_indexes.ts";
import { expireDueSessions } from "../lib/sessions/expiry_sweep.ts";
import {
  deleteEndedSessions,
  MAX_PER_RUN,
  minimiseEndedSessions,
  RUN_BUDGET_MS,
} from "../lib/sessions/retention.ts";

const DAY = 24 * 3600_000;
const SWEEP_N = 2000;

function sizes(): number[] {
  const flag = Deno.args.indexOf("--growth-max");
  const max = Number(flag >= 0 ? Deno.args[flag + 1] : Deno.env.get("BENCH_GROWTH_MAX") ?? 100_000);
  return [1_000, 10_000, 100_000].filter((n) => n <= max);
}

function rid(prefix: string, length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return `${prefix}_${Array.from(bytes, (b) => alphabet[b % 36]).join("")}`;
}

/** The oldest records of a history that failed (attempts, and deliveries to the second endpoint). */
const RARE = 30;

// N completed sessions, each with an attempt, an event and a delivery, in commits of 50 sessions
// (17 keys each: inside KV's 1 000 mutations).
async function seedHistory(deps: AppDeps, org: Org, n: number): Promise<void> {
  const { orgId } = org;
  const start = Date.now() - 3 * DAY;
  for (let i = 0; i < n; i += 50) {
    const op = deps.kv.atomic();
    for (let j = i; j < Math.min(n, i + 50); j++) {
      const at = new Date(start + j * 1000).toISOString();
      const failed = j < RARE;
      const session: SessionRecord = {
        id: rid("vs", 64),
        orgId,
        mode: "test",
        shareFields: {},
        redirectUrl: null,
        webhookEndpointId: null,
        status: "completed",
        outcome: "succeeded",
        failureCode: null,
        contractVersion: 1,
        attemptsUsed: 1,
        failedAttempts: 0,
        latestAttemptId: null,
        deviceIdHash: null,
        cancelReason: null,
        cancelledBy: null,
        expiresAt: new Date(start + j * 1000 + 3600_000).toISOString(),
        completedAt: at,
        createdAt: at,
        updatedAt: at,
      } as SessionRecord;
      const attempt: AttemptRecord = {
        id: rid("va", 32),
        sessionId: session.id,
        orgId,
        mode: "test",
        status: failed ? "failed" : "succeeded",
        failureCode: failed ? "document_expired" : null,
        riskScore: 0.1,
        deviceIdHash: null,
        claimedAt: at,
        completedAt: at,
        createdAt: at,
        updatedAt: at,
      };
      const event: EventRecord = {
        id: rid("evt", 24),
        orgId,
        mode: "test",
        type: j % 2 ? "verification.session.succeeded" : "verification.session.failed",
        sessionId: session.id,
        attemptId: null,
        data: {},
        webhookEndpointId: null,
        createdAt: at,
        sequence: (start + j * 1000) * 1000,
      };
      const delivery: DeliveryRecord = {
        id: rid("whd", 24),
        orgId,
        mode: "test",
        endpointId: failed ? org.rareEndpointId : org.endpointId,
        eventId: event.id,
        eventType: event.type,
        status: failed ? "failed" : "succeeded",
        payload: null,
        keyId: null,
        attemptCount: 1,
        scheduledTries: 1,
        manualTryPending: false,
        nextAttemptAt: null,
        deliveringBy: null,
        deliveringUntil: null,
        lastAttemptAt: at,
        lastStatusCode: failed ? 500 : 200,
        lastErrorClass: failed ? "http_status" : null,
        failureReason: failed ? "retries_exhausted" : null,
        payloadExpiresAt: null,
        succeededAt: failed ? null : at,
        createdAt: at,
        updatedAt: at,
      };
      putSession(op, null, session);
      putAttempt(op, null, attempt);
      addEventRecord(op, event);
      addDeliveryToCommit(op, delivery);
    }
    await op.commit();
  }
}

/** An organization of the bench: its key, and its two endpoints (the second gets the failures). */
interface Org {
  orgId: string;
  secret: string;
  endpointId: string;
  rareEndpointId: string;
}

async function newOrg(deps: AppDeps, slug: string): Promise<Org> {
  const org = await createOrganization(
    deps.kv,
    { name: slug, slug, ownerId: "usr_bench" },
    deps.clock,
    deps.random,
  );
  const { secret } = await createApiKey(deps, {
    orgId: org.id,
    name: "bench",
    scopes: ["sessions:read", "webhooks:read"],
    mode: "test",
    createdBy: null,
  });
  const endpoint = (name: string) =>
    createEndpoint(deps, org.id, "test", { name, url: `https://hooks.example.com/${name}` });
  const [main, rare] = [await endpoint("main"), await endpoint("rare")];
  return {
    orgId: org.id,
    secret,
    endpointId: main.endpoint.id,
    rareEndpointId: rare.endpoint.id,
  };
}

/** The list calls, as the same path for every organization (the endpoint filter names its own). */
const LISTS: Array<{ name: string; path: (org: Org) => string }> = [
  "/v1/webhooks/events?limit=10",
  "/v1/webhooks/events?limit=10&type=verification.session.failed",
  "/v1/sessions?limit=10",
  "/v1/sessions?limit=10&status=completed",
  "/v1/sessions/attempts?limit=10",
  "/v1/sessions/attempts?limit=10&status=failed",
  "/v1/webhooks/deliveries?limit=10",
  "/v1/webhooks/deliveries?limit=10&status=failed",
].map((path) => ({ name: path, path: () => path }));
LISTS.push({
  name: "/v1/webhooks/deliveries?limit=10&endpoint_id=<the rare endpoint>",
  path: (org) => `/v1/webhooks/deliveries?limit=10&endpoint_id=${org.rareEndpointId}`,
});

/**
 * Median ms of one call of each target: `CALLS` rounds after 3 warm-ups, the targets taking turns
 * within each round, so a change in the machine's load reaches them all alike.
 */
async function timeCalls(targets: Array<{ url: string; secret: string }>): Promise<number[]> {
  const samples = targets.map(() => [] as number[]);
  for (let i = 0; i < CALLS + 3; i++) {
    for (const [t, { url, secret }] of targets.entries()) {
      const t0 = performance.now();
      const res = await fetch(url, { headers: { authorization: `Bearer ${secret}` } });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${url}: ${res.status}`);
      if (i >= 3) samples[t].push(performance.now() - t0);
    }
  }
  return samples.map(median);
}

/** Timed calls per list and organization. */
const CALLS = 31;

async function sweeps(dir: string, orgId: string) {
  const clock = new ManualClock(new Date().toISOString());
  const deps = await createDeps(
    testConfig({ kvPath: `${dir}/kayle.kv3`, dataDir: dir, serverKey: BENCH_SERVER_KEY }),
    { clock, logger: silentLogger, usageFlushMs: 0 },
  );
  try {
    const input = { orgId, mode: "test" as const, shareFields: {}, redirectUrl: null };
    for (let i = 0; i < SWEEP_N; i += 50) {
      await Promise.all(
        Array.from(
          { length: 50 },
          () => createSession(deps, { ...input, webhookEndpointId: null }),
        ),
      );
    }
    clock.advance(3600_000 + 1);
    let t0 = performance.now();
    const expired = await expireDueSessions(deps);
    const expiryPerMin = expired / ((performance.now() - t0) / 60_000);
    clock.advance(7 * DAY);
    t0 = performance.now();
    const minimised = await minimiseEndedSessions(deps);
    const minimisePerS = minimised / ((performance.now() - t0) / 1000);
    clock.advance(23 * DAY);
    t0 = performance.now();
    const deleted = await deleteEndedSessions(deps);
    const deletePerS = deleted / ((performance.now() - t0) / 1000);
    // A day is 24 hourly runs of at most RUN_BUDGET_MS and MAX_PER_RUN sessions; each ended
    // session is minimised once and deleted once.
    const perRun = Math.min(
      MAX_PER_RUN,
      (RUN_BUDGET_MS / 1000) / (1 / minimisePerS + 1 / deletePerS),
    );
    return { expired, expiryPerMin, minimised, deleted, retentionPerDay: perRun * 24 };
  } finally {
    await deps.usage.close();
    deps.kv.close();
  }
}

/** The status/endpoint index migration run again over the history (as an upgrade would). */
async function migrationRow(dir: string, n: number): Promise<Record<string, string | number>> {
  const deps = await createDeps(
    testConfig({ kvPath: `${dir}/kayle.kv3`, dataDir: dir, serverKey: BENCH_SERVER_KEY }),
    { logger: silentLogger, usageFlushMs: 0 },
  );
  try {
    const t0 = performance.now();
    const counts = await migrateStatusIndexes(deps);
    const s = (performance.now() - t0) / 1000;
    return {
      n,
      measure: `migration 2026_12_status_endpoint_indexes (${counts.attempts} attempts, ` +
        `${counts.deliveries} deliveries)`,
      ms: round(s * 1000, 0),
      "empty org ms": "",
      ratio: `${round((counts.attempts + counts.deliveries) / s, 0)} records/s`,
      "vs 1-page org": "",
      "vs smallest n": "",
      goal: "once, at start",
      holds: "—",
    };
  } finally {
    await deps.usage.close();
    deps.kv.close();
  }
}

/** Measures list calls and sweeps at growing history sizes; see the module comment. */
export async function bench(): Promise<BenchSection> {
  const rows: Array<Record<string, string | number>> = [];
  const notes: string[] = [];
  const firstSize = new Map<string, number>();
  for (const n of sizes()) {
    const dir = await Deno.makeTempDir({ prefix: "kayle-growth-bench-" });
    try {
      const deps = await createDeps(
        testConfig({ kvPath: `${dir}/kayle.kv3`, dataDir: dir, serverKey: BENCH_SERVER_KEY }),
        { logger: silentLogger, usageFlushMs: 0 },
      );
      wireWebhooks(deps); // endpoints are refused without the webhooks layer
      // A fresh install: the migrations find nothing and are recorded as done; the history below
      // is written in the current layout, as this version writes it.
      await runMigrations(deps);
      const big = await newOrg(deps, "big");
      const empty = await newOrg(deps, "empty");
      // One page of history: the same page to build, none of the history.
      const onePage = await newOrg(deps, "one-page");
      await seedHistory(deps, onePage, 11);
      const t0 = performance.now();
      await seedHistory(deps, big, n);
      notes.push(
        `${n}: seeded ${n} sessions, attempts, events and deliveries in ${
          round((performance.now() - t0) / 1000, 1)
        } s`,
      );
      await deps.usage.close();
      deps.kv.close();
      const server = await startServerProcess(dir);
      try {
        for (const { name, path } of LISTS) {
          const [ms, base, page] = await timeCalls(
            [big, empty, onePage].map((org) => ({
              url: `${server.url}${path(org)}`,
              secret: org.secret,
            })),
          );
          if (!firstSize.has(name)) firstSize.set(name, ms);
          rows.push({
            n,
            measure: `GET ${name}`,
            ms: round(ms, 1),
            "empty org ms": round(base, 1),
            ratio: round(ms / base, 2),
            "vs 1-page org": round(ms / page, 2),
            "vs smallest n": round(ms / firstSize.get(name)!, 2),
            goal: "≤ 2× empty org",
            holds: ms <= 2 * base ? "yes" : ms <= 2 * page ? "vs 1-page org only" : "NO",
          });
        }
      } finally {
        await server.stop();
      }
      rows.push(await migrationRow(dir, n));
      const s = await sweeps(dir, big.orgId);
      rows.push({
        n,
        measure: `expiry sweep (${s.expired} due beside the history)`,
        ms: round(s.expiryPerMin, 0),
        "empty org ms": "",
        ratio: "per minute",
        "vs 1-page org": "",
        "vs smallest n": "",
        goal: "≥ 10 000 / min",
        holds: s.expiryPerMin >= 10_000 ? "yes" : "NO",
      });
      rows.push({
        n,
        measure: `retention (${s.minimised} minimised, ${s.deleted} deleted)`,
        ms: round(s.retentionPerDay, 0),
        "empty org ms": "",
        ratio: "per day",
        "vs 1-page org": "",
        "vs smallest n": "",
        goal: "≥ 200 000 / day",
        holds: s.retentionPerDay >= 200_000 ? "yes" : "NO",
      });
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
  notes.push(
    "An empty org answers an empty page; the 1-page org (11 sessions, attempts, events and " +
      "deliveries) builds the same " +
      "page as the big one without its history, so it isolates the cost of history. " +
      "List calls: median of 31 sequential calls after 3 warm-ups, the three organizations taking turns, server = main.ts in its own " +
      "process. Sweeps: in-process with a manual clock; retention per day = 24 hourly runs of at " +
      `most ${
        RUN_BUDGET_MS / 60_000
      } min and ${MAX_PER_RUN} sessions, each session minimised once ` +
      "and deleted once.",
    `Load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")} on ` +
      `${navigator.hardwareConcurrency} cores.`,
  );
  return { title: "Growth: list calls and sweeps as history grows", rows, notes };
}

if (import.meta.main) {
  const section = await bench();
  console.log(`\n${section.title}\n`);
  console.table(section.rows);
  for (const note of section.notes ?? []) console.log(`- ${note}`);
  Deno.exit(0);
}
