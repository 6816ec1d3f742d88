/**
 * Configuration from the environment (docs/self-hosting.md), validated once at start. Every problem is
 * reported together, naming the variable and what it accepts, so an operator fixes them in one go.
 * This module is the app's equivalent of Fresh's `fresh.config.ts` (see ARCHITECTURE.md).
 */
import { z } from "zod";

/** Which background job backend runs webhook deliveries and other work. */
export type JobBackend = "kv_queue" | "kv_table";

/** Log verbosity. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The validated configuration. */
export interface Config {
  /** TCP port to listen on (`PORT`, default 8787). */
  port: number;
  /** Interface to bind (`HOSTNAME`, default 127.0.0.1). */
  hostname: string;
  /** Public base URL used in links (`KAYLE_PUBLIC_URL`), without a trailing slash. */
  publicUrl: string;
  /** KV location (`KAYLE_KV_PATH`): a file path, `:memory:` or an `http(s)://` KV Connect URL. */
  kvPath: string;
  /** Folder for local state (`KAYLE_DATA_DIR`, default `./data`). */
  dataDir: string;
  /** Base64 server key when given (`KAYLE_SERVER_KEY`); else it is read from or generated into `dataDir`. */
  serverKey: string | null;
  /** Development mode (`KAYLE_DEV_MODE`): loopback http allowed for redirect and webhook URLs. */
  devMode: boolean;
  /** Job backend (`KAYLE_JOB_BACKEND`). */
  jobBackend: JobBackend;
  /** Log level (`KAYLE_LOG_LEVEL`). */
  logLevel: LogLevel;
  /** Trust `X-Forwarded-For` for the client address (`KAYLE_TRUST_PROXY`), behind a proxy only. */
  trustProxy: boolean;
  /** The phone app the verify pages name and link to (`KAYLE_APP_*`); see {@link AppLinks}. */
  app: AppLinks;
  /**
   * One period for every scheduled task instead of their own (`KAYLE_SCHEDULE_PERIOD_MS`, tests
   * and demos; `lib/jobs/scheduled.ts`); null in production.
   */
  schedulePeriodMs: number | null;
  /** Requests per API key per minute (`KAYLE_API_RATE_LIMIT_PER_MINUTE`, default 600). */
  apiRateLimitPerMinute: number;
  /**
   * The operator's own face verifier over HTTP (`KAYLE_FACE_VERIFIER_*`, docs/biometrics.md
   * "Remote verifier"), used instead of the local model; null: the local model.
   */
  faceVerifier: FaceVerifierConfig | null;
}

/** A remote face verifier: where, with which bearer token, and how long a call may take. */
export interface FaceVerifierConfig {
  /** `KAYLE_FACE_VERIFIER_URL`: base URL, https (http only on loopback, for a sidecar). */
  url: string;
  /** `KAYLE_FACE_VERIFIER_TOKEN`: sent as `Authorization: Bearer …`; null sends none. */
  token: string | null;
  /** `KAYLE_FACE_VERIFIER_TIMEOUT_MS` (default 15 000): past it a call fails closed. */
  timeoutMs: number;
}

/**
 * The phone app end users are sent to (docs/verify-pages.md "The phone app"). Unset, the pages
 * name no product and say what kind of app is needed; no store link is shown.
 */
export interface AppLinks {
  /** `KAYLE_APP_NAME`: the app's name as users see it in the store. */
  name: string | null;
  /** `KAYLE_APP_IOS_URL`: its App Store page (https). */
  iosUrl: string | null;
  /** `KAYLE_APP_ANDROID_URL`: its Google Play (or other store) page (https). */
  androidUrl: string | null;
  /** `KAYLE_APP_IOS_APP_ID` (`TEAMID.bundle.id`): served in apple-app-site-association for `/h`. */
  iosAppId: string | null;
  /** `KAYLE_APP_ANDROID_PACKAGE`: served in assetlinks.json for `/h`. */
  androidPackage: string | null;
  /** `KAYLE_APP_ANDROID_CERT_SHA256`: comma-separated signing certificate fingerprints. */
  androidCertSha256: string[];
}

/** No app configured. */
export const NO_APP: AppLinks = {
  name: null,
  iosUrl: null,
  androidUrl: null,
  iosAppId: null,
  androidPackage: null,
  androidCertSha256: [],
};

/** Raised with every configuration problem listed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const bool = (name: string) =>
  z.enum(["true", "false", "1", "0", "yes", "no"], {
    error: `${name} must be true or false`,
  }).transform((v) => v === "true" || v === "1" || v === "yes");

const schema = z.object({
  PORT: z.coerce.number({ error: "PORT must be a number" })
    .int("PORT must be a whole number").min(0, "PORT must be 0 to 65535")
    .max(65535, "PORT must be 0 to 65535").default(8787),
  HOSTNAME: z.string().min(1).default("127.0.0.1"),
  KAYLE_PUBLIC_URL: z.url({ error: "KAYLE_PUBLIC_URL must be an absolute http(s) URL" }).optional(),
  KAYLE_DATA_DIR: z.string().min(1).default("./data"),
  KAYLE_KV_PATH: z.string().min(1).optional(),
  KAYLE_SERVER_KEY: z.string().optional(),
  KAYLE_DEV_MODE: bool("KAYLE_DEV_MODE").optional(),
  KAYLE_JOB_BACKEND: z.enum(["kv_queue", "kv_table"], {
    error: "KAYLE_JOB_BACKEND must be kv_queue or kv_table",
  }).optional(),
  KAYLE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], {
    error: "KAYLE_LOG_LEVEL must be debug, info, warn or error",
  }).default("info"),
  KAYLE_TRUST_PROXY: bool("KAYLE_TRUST_PROXY").default(false),
  KAYLE_APP_NAME: z.string().max(60, { error: "KAYLE_APP_NAME must be at most 60 characters" })
    .optional(),
  KAYLE_APP_IOS_URL: z.url({ protocol: /^https$/, error: "KAYLE_APP_IOS_URL must be an https URL" })
    .optional(),
  KAYLE_APP_ANDROID_URL: z.url({
    protocol: /^https$/,
    error: "KAYLE_APP_ANDROID_URL must be an https URL",
  }).optional(),
  KAYLE_APP_IOS_APP_ID: z.string().regex(/^[A-Z0-9]{10}\.[A-Za-z0-9.-]+$/, {
    error: "KAYLE_APP_IOS_APP_ID must be TEAMID.bundle.id",
  }).optional(),
  KAYLE_APP_ANDROID_PACKAGE: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, {
    error: "KAYLE_APP_ANDROID_PACKAGE must be a package name like com.example.app",
  }).optional(),
  KAYLE_APP_ANDROID_CERT_SHA256: z.string().regex(
    /^([0-9A-F]{2}(:[0-9A-F]{2}){31})(,[0-9A-F]{2}(:[0-9A-F]{2}){31})*$/,
    { error: "KAYLE_APP_ANDROID_CERT_SHA256 must be comma-separated AA:BB:… SHA-256 fingerprints" },
  ).optional(),
  KAYLE_SCHEDULE_PERIOD_MS: z.coerce.number({ error: "KAYLE_SCHEDULE_PERIOD_MS must be a number" })
    .int().min(500, "KAYLE_SCHEDULE_PERIOD_MS must be at least 500").optional(),
  KAYLE_API_RATE_LIMIT_PER_MINUTE: z.coerce.number({
    error: "KAYLE_API_RATE_LIMIT_PER_MINUTE must be a number",
  }).int().min(1, "KAYLE_API_RATE_LIMIT_PER_MINUTE must be at least 1").default(600),
  KAYLE_FACE_VERIFIER_URL: z.url({
    protocol: /^https?$/,
    error: "KAYLE_FACE_VERIFIER_URL must be an absolute http(s) URL",
  }).optional(),
  KAYLE_FACE_VERIFIER_TOKEN: z.string().optional(),
  KAYLE_FACE_VERIFIER_TIMEOUT_MS: z.coerce.number({
    error: "KAYLE_FACE_VERIFIER_TIMEOUT_MS must be a number",
  }).int().min(1000, "KAYLE_FACE_VERIFIER_TIMEOUT_MS must be at least 1000")
    .max(120_000, "KAYLE_FACE_VERIFIER_TIMEOUT_MS must be at most 120000").default(15_000),
});

/** Loopback hosts, where plain http never leaves the machine. */
const LOOPBACK_URL = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

/** Reads and validates configuration from an environment map; throws `ConfigError`. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const raw: Record<string, string> = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );
  const parsed = schema.safeParse(raw);
  // Every problem at once: the checks that read the values as given run even when others fail,
  // skipping only a variable whose own rule already failed.
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
  const flagged = new Set(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0])));
  const given = (name: string) => flagged.has(name) ? undefined : raw[name];
  const publicUrlGiven = given("KAYLE_PUBLIC_URL");
  if (publicUrlGiven !== undefined && !/^https?:\/\//.test(publicUrlGiven)) {
    problems.push("KAYLE_PUBLIC_URL must use http or https");
  }
  const serverKey = given("KAYLE_SERVER_KEY");
  if (serverKey !== undefined && !isBase64Key(serverKey)) {
    problems.push("KAYLE_SERVER_KEY must be 32 bytes in base64 (openssl rand -base64 32)");
  }
  const kvPathGiven = raw.KAYLE_KV_PATH ?? `${raw.KAYLE_DATA_DIR ?? "./data"}/kayle.kv3`;
  if (/^https?:\/\//.test(kvPathGiven) && given("KAYLE_JOB_BACKEND") === "kv_queue") {
    problems.push(
      "KAYLE_JOB_BACKEND=kv_queue needs a local KV: remote KV has no queues; use kv_table",
    );
  }
  const faceUrlGiven = given("KAYLE_FACE_VERIFIER_URL");
  // Portraits and selfies go to it: over the network only encrypted.
  if (faceUrlGiven && !faceUrlGiven.startsWith("https://") && !LOOPBACK_URL.test(faceUrlGiven)) {
    problems.push(
      "KAYLE_FACE_VERIFIER_URL must use https (plain http only to 127.0.0.1, localhost or [::1])",
    );
  }
  if (raw.KAYLE_FACE_VERIFIER_TOKEN !== undefined && raw.KAYLE_FACE_VERIFIER_URL === undefined) {
    problems.push("KAYLE_FACE_VERIFIER_TOKEN is set without KAYLE_FACE_VERIFIER_URL");
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const publicUrl = (e.KAYLE_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, "");
  const kvPath = e.KAYLE_KV_PATH ?? `${e.KAYLE_DATA_DIR}/kayle.kv3`;
  const faceUrl = e.KAYLE_FACE_VERIFIER_URL;
  const loopbackHttp = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(publicUrl);
  return {
    port: e.PORT,
    hostname: e.HOSTNAME,
    publicUrl,
    kvPath,
    dataDir: e.KAYLE_DATA_DIR,
    serverKey: e.KAYLE_SERVER_KEY ?? null,
    // A local start (http on loopback) is development unless said otherwise.
    devMode: e.KAYLE_DEV_MODE ?? loopbackHttp,
    // kv_table by default: a job added here is claimed ~15 ms later, where Deno KV's queue hop
    // alone takes ~45 ms (docs/performance.md, "Webhooks").
    jobBackend: e.KAYLE_JOB_BACKEND ?? "kv_table",
    logLevel: e.KAYLE_LOG_LEVEL,
    trustProxy: e.KAYLE_TRUST_PROXY,
    app: {
      name: e.KAYLE_APP_NAME?.trim() || null,
      iosUrl: e.KAYLE_APP_IOS_URL ?? null,
      androidUrl: e.KAYLE_APP_ANDROID_URL ?? null,
      iosAppId: e.KAYLE_APP_IOS_APP_ID ?? null,
      androidPackage: e.KAYLE_APP_ANDROID_PACKAGE ?? null,
      androidCertSha256: e.KAYLE_APP_ANDROID_CERT_SHA256?.split(",") ?? [],
    },
    schedulePeriodMs: e.KAYLE_SCHEDULE_PERIOD_MS ?? null,
    apiRateLimitPerMinute: e.KAYLE_API_RATE_LIMIT_PER_MINUTE,
    faceVerifier: faceUrl
      ? {
        url: faceUrl,
        token: e.KAYLE_FACE_VERIFIER_TOKEN ?? null,
        timeoutMs: e.KAYLE_FACE_VERIFIER_TIMEOUT_MS,
      }
      : null,
  };
}

function isBase64Key(text: string): boolean {
  try {
    return Uint8Array.fromBase64(text).length === 32;
  } catch {
    return false;
  }
}

/** A configuration for tests: in-memory KV, development mode, a fixed public URL. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    port: 0,
    hostname: "127.0.0.1",
    publicUrl: "http://127.0.0.1:8787",
    kvPath: ":memory:",
    dataDir: "./data",
    serverKey: new Uint8Array(32).fill(7).toBase64(),
    devMode: true,
    jobBackend: "kv_queue",
    logLevel: "error",
    trustProxy: false,
    schedulePeriodMs: null,
    apiRateLimitPerMinute: 600,
    app: NO_APP,
    faceVerifier: null,
    ...overrides,
  };
}
