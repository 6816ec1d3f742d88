/**
 * Real headless Chromium (Debian's `chromium`, driven by playwright-core) for browser tests, and
 * a real server on a random loopback port. Screenshots go to `test-results/`.
 */
import { type Browser, chromium } from "npm:playwright-core@1.65.1";
import { existsSync } from "node:fs";

/** Path of the Chromium binary, or null when it is not installed. */
export function chromiumPath(): string | null {
  for (
    const path of [Deno.env.get("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
  ) {
    if (path && existsSync(path)) return path;
  }
  return null;
}

/** True when browser tests can run; they are skipped with a message otherwise. */
export const hasChromium: boolean = chromiumPath() !== null;
if (!hasChromium && Deno.env.get("CI")) {
  // In CI a missing browser is a broken setup, never a quiet skip.
  throw new Error("chromium not found: CI must run the browser tests (.ci/run installs chromium)");
}
if (!hasChromium) console.warn("chromium not found: browser tests are skipped (CI installs it)");

/** Launches headless Chromium with the flags this closed network needs. */
export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: chromiumPath()!,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Where screenshots are written. */
export async function screenshotPath(name: string): Promise<string> {
  const dir = new URL("../../test-results/", import.meta.url).pathname;
  await Deno.mkdir(dir, { recursive: true });
  return `${dir}${name}.png`;
}

/** A free loopback port. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A real server on a random port with one owner and organization, for browser tests. */
export interface SeededServer {
  url: string;
  dir: string;
  kv: Deno.Kv;
  userId: string;
  close(): Promise<void>;
}

/** Starts the real server (no background work) on a temp KV with an owner and organization. */
export async function startSeededServer(options: {
  email: string;
  password: string;
  orgName: string;
  orgSlug: string;
  /** `localhost` for WebAuthn (IP addresses are not valid RP IDs); default 127.0.0.1. */
  host?: "127.0.0.1" | "localhost";
}): Promise<SeededServer> {
  const { startServer } = await import("../../main.ts");
  const { loadConfig } = await import("../../lib/core/config.ts");
  const { openKv } = await import("../../lib/core/kv.ts");
  const { createUser } = await import("../../lib/accounts/users.ts");
  const { hashPassword } = await import("../../lib/accounts/passwords.ts");
  const { createOrganization } = await import("../../lib/accounts/organizations.ts");
  const { systemClock } = await import("../../lib/core/clock.ts");
  const { cryptoRandom } = await import("../../lib/core/random.ts");
  const { silentLogger } = await import("../../lib/core/logger.ts");
  const dir = await Deno.makeTempDir();
  const port = freePort();
  const config = loadConfig({
    KAYLE_DATA_DIR: dir,
    PORT: String(port),
    KAYLE_LOG_LEVEL: "error",
    ...(options.host === "localhost" ? { KAYLE_PUBLIC_URL: `http://localhost:${port}` } : {}),
  });
  const kv = await openKv(config.kvPath);
  const user = await createUser(
    kv,
    { email: options.email, passwordHash: await hashPassword(options.password) },
    systemClock,
    cryptoRandom,
  );
  await createOrganization(
    kv,
    { name: options.orgName, slug: options.orgSlug, ownerId: user.id },
    systemClock,
    cryptoRandom,
  );
  const server = await startServer(config, { kv, logger: silentLogger }, { background: false });
  return {
    url: options.host === "localhost" ? `http://localhost:${port}` : server.url,
    dir,
    kv,
    userId: user.id,
    async close() {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
