/**
 * Real headless Chromium (Debian's `chromium`, driven by playwright-core) for browser tests, and
 * a real server on a random loopback port. Screenshots go to `test-results/`.
 */
import { type Browser, chromium } from "playwright-core";
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
