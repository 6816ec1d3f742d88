/**
 * Checks made before the server (or the admin command) uses a KV database, so that a
 * configuration that would lose data stops the start with exit code 2 and a message saying what
 * happened and how to recover, instead of coming up "ok" (docs/self-hosting.md, "Refusals at
 * start"):
 *
 * - the KV file is missing while its `-wal`/`-shm` files are present (a half-restored backup or
 *   a deleted file): opening it would start an empty database with a new setup link;
 * - the KV file cannot be read (corrupted, or not a Deno KV file): SQLite's `PRAGMA quick_check`
 *   runs on a local file before Deno opens it, because Deno's KV aborts the process (a panic, not
 *   an exception) when it meets a malformed page in the background;
 * - this process may not write where the database (or a server key to generate) goes: `deno task
 *   start` may write only `data/`, and a `KAYLE_DATA_DIR` elsewhere would end in a permission error;
 * - the server key differs from the one the database was written with, or its file is missing.
 *   KV stores a fingerprint of the key (`["server_key_fingerprint"]`: a keyed hash of a constant
 *   under the key, never the key); a database without one (older versions) adopts the current
 *   key's fingerprint.
 */
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Config } from "./config.ts";
import type { ServerKeys } from "./keys.ts";
import { coreKeys, isRemoteKv, openKv } from "./kv.ts";

/** A refused start: the message is for the operator; the process exits with code 2. */
export class StartupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupRefused";
  }
}

/** Where the fingerprint of the server key is stored. */
export const FINGERPRINT_KEY = coreKeys.serverKeyFingerprint();

/** The stored fingerprint. */
export interface KeyFingerprint {
  fingerprint: string;
  recordedAt: string;
}

const FINGERPRINT_INPUT = "kayle-id server key fingerprint v1";
const CORRUPT = /not a database|malformed|corrupt|SQLITE_CORRUPT|SQLITE_NOTADB|unable to open/i;
const DAMAGED = /not a database|malformed|corrupt/i;

/** The fingerprint of the server key behind `keys`. */
export async function serverKeyFingerprint(keys: ServerKeys): Promise<string> {
  return await keys.hash(FINGERPRINT_INPUT, "key-fingerprint");
}

/** Opens the configured KV after checking its files; an unreadable file is a refusal. */
export async function openCheckedKv(config: Config): Promise<Deno.Kv> {
  const location = config.kvPath;
  await refuseUnwritable(config);
  if (location !== ":memory:" && !isRemoteKv(location)) {
    await refuseOrphanedJournal(location);
    if (await exists(location)) quickCheck(location, config);
  }
  let kv: Deno.Kv | null = null;
  try {
    kv = await openKv(location);
    await kv.get(FINGERPRINT_KEY); // the first read finds a corrupted file
    return kv;
  } catch (error) {
    kv?.close();
    throw asStartupRefusal(error, config) ?? error;
  }
}

/** The places the start writes must be granted to this process (`--allow-write`). */
async function refuseUnwritable(config: Config): Promise<void> {
  const paths = new Set<string>();
  if (config.kvPath !== ":memory:" && !isRemoteKv(config.kvPath)) paths.add(dirname(config.kvPath));
  if (!config.serverKey && !(await exists(join(config.dataDir, "server.key")))) {
    paths.add(config.dataDir);
  }
  const denied = [...paths].filter((path) =>
    Deno.permissions.querySync({ name: "write", path }).state !== "granted"
  );
  if (!denied.length) return;
  throw new StartupRefused([
    `Kayle ID will not start: this process may not write ${denied.join(", ")}.`,
    "`deno task start` may write only under data/ (its --allow-write=data,static/build).",
    "Set KAYLE_DATA_DIR (or KAYLE_KV_PATH) to a directory under data/, or run the task's",
    `deno run yourself with --allow-write=${denied.join(",")},static/build.`,
  ].join("\n"));
}

/**
 * Refuses a journal (`-wal`, `-shm`) without its database. SQLite creates the database file before
 * its journal, so the file is looked for again after the journal was found: an instance starting
 * at the same moment may have created both in between, which is no orphan.
 */
export async function refuseOrphanedJournal(
  location: string,
  fileExists: (path: string) => Promise<boolean> = exists,
): Promise<void> {
  if (await fileExists(location)) return;
  const orphans = [`${location}-wal`, `${location}-shm`];
  const present = [];
  for (const path of orphans) if (await fileExists(path)) present.push(path);
  if (!present.length || await fileExists(location)) return;
  throw new StartupRefused([
    `Kayle ID will not start: the KV database ${location} is missing, but its journal`,
    `(${present.join(", ")}) is still there.`,
    "The database file was deleted or not restored with its journal; starting now would create",
    "an empty database (and a new setup link) and throw the journal away.",
    "To recover: restore the database file from your backup next to these files and start again.",
    "To really start empty: move the -wal and -shm files away first.",
  ].join("\n"));
}

// Reads the pages' structure (no row contents): about 50 ms for a 94 MB file here. Only a verdict
// of damage refuses: a file the check cannot open for another reason is left to Deno KV to judge.
function quickCheck(location: string, config: Config): void {
  let verdict: string;
  try {
    const db = new DatabaseSync(location, { readOnly: true });
    try {
      const rows = db.prepare("PRAGMA quick_check(1)").all() as Array<Record<string, unknown>>;
      verdict = String(Object.values(rows[0] ?? {})[0] ?? "ok");
    } finally {
      db.close();
    }
  } catch (error) {
    verdict = error instanceof Error ? error.message : String(error);
    if (!DAMAGED.test(verdict)) return;
  }
  if (verdict === "ok") return;
  throw asStartupRefusal(new Error(`integrity check: ${verdict.split("\n").pop()}`), config, true)!;
}

/**
 * The refusal for an error met while opening or first reading KV (a corrupted file), or null
 * when the error is something else.
 */
export function asStartupRefusal(
  error: unknown,
  config: Config,
  damaged = false,
): StartupRefused | null {
  if (error instanceof StartupRefused) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (!damaged && !CORRUPT.test(message)) return null;
  return new StartupRefused([
    `Kayle ID will not start: the KV database ${config.kvPath} cannot be read (${message}).`,
    "It is corrupted, or not a Deno KV file. Nothing was changed.",
    "To recover: stop every instance, restore the database file (with its -wal and -shm files)",
    "from your backup, and start again; or point KAYLE_KV_PATH / KAYLE_DATA_DIR at the right file.",
  ].join("\n"));
}

/**
 * Refuses a start whose key file is missing while the database already holds a fingerprint
 * (called before a new key would be generated, so nothing is written).
 */
export async function refuseMissingKeyFile(kv: Deno.Kv, config: Config): Promise<void> {
  if (config.serverKey) return;
  const path = join(config.dataDir, "server.key");
  if (await exists(path)) return;
  if ((await kv.get(FINGERPRINT_KEY)).versionstamp === null) return;
  throw new StartupRefused([
    `Kayle ID will not start: the server key file ${path} is missing, but the KV database`,
    `${config.kvPath} holds data sealed and hashed with a server key.`,
    "With a new key, every API key, cancel token, dashboard session and webhook signing secret",
    "in it would silently stop working. No new key was generated.",
    `To recover: restore ${path} from your backup (mode 0600), or set KAYLE_SERVER_KEY to the`,
    'original key, and start again. See docs/self-hosting.md, "Server key".',
  ].join("\n"));
}

/**
 * Compares the key's fingerprint with the stored one: refuses on a mismatch, records it when the
 * database has none (a new database, or one written by an older version).
 */
export async function checkServerKeyFingerprint(
  kv: Deno.Kv,
  keys: ServerKeys,
  config: Config,
  now: Date,
): Promise<"matched" | "recorded"> {
  const fingerprint = await serverKeyFingerprint(keys);
  for (;;) {
    const entry = await kv.get<KeyFingerprint>(FINGERPRINT_KEY);
    if (entry.value) {
      if (entry.value.fingerprint === fingerprint) return "matched";
      throw mismatch(config);
    }
    const record: KeyFingerprint = { fingerprint, recordedAt: now.toISOString() };
    // Checked: two instances starting together on a new database agree on one key.
    const committed = await kv.atomic().check(entry).set(FINGERPRINT_KEY, record).commit();
    if (committed.ok) return "recorded";
  }
}

function mismatch(config: Config): StartupRefused {
  const source = config.serverKey
    ? "KAYLE_SERVER_KEY"
    : `the server key file ${join(config.dataDir, "server.key")}`;
  return new StartupRefused([
    `Kayle ID will not start: ${source} is not the server key the KV database`,
    `${config.kvPath} was written with (the key's fingerprint differs).`,
    "With this key, every API key, cancel token, dashboard session and webhook signing secret",
    "in the database would silently stop working. Nothing was changed.",
    "To recover: restore the original key (the server.key file from your backup, or the",
    'previous KAYLE_SERVER_KEY value) and start again. See docs/self-hosting.md, "Server key".',
  ].join("\n"));
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
