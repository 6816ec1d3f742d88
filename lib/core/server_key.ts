/**
 * Loads the server key: from configuration when given, else from `<dataDir>/server.key`,
 * generating it there with mode 0600 on first start.
 */
import { join } from "node:path";
import type { Config } from "./config.ts";
import { cryptoRandom, type RandomSource } from "./random.ts";
import { StartupRefused } from "./startup_checks.ts";

/** Returns the 32-byte server key, creating the key file when needed. */
export async function loadServerKey(
  config: Config,
  random: RandomSource = cryptoRandom,
): Promise<{ key: Uint8Array; generated: boolean; path: string | null }> {
  if (config.serverKey) {
    return {
      key: Uint8Array.fromBase64(config.serverKey),
      generated: false,
      path: null,
    };
  }
  const path = join(config.dataDir, "server.key");
  let text: string | null = null;
  try {
    text = (await Deno.readTextFile(path)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (text !== null) {
    let key: Uint8Array | null = null;
    try {
      key = Uint8Array.fromBase64(text);
    } catch {
      // not base64: refused below
    }
    if (key?.length !== 32) {
      throw new StartupRefused(
        `Kayle ID will not start: ${path} does not hold a 32-byte base64 server key (damaged?).\n` +
          "Restore it from your backup; never replace it with a new key while the database " +
          'holds data (docs/self-hosting.md, "Server key").',
      );
    }
    return { key, generated: false, path };
  }
  await Deno.mkdir(config.dataDir, { recursive: true });
  const key = random.bytes(32);
  // Written whole to a file of its own, then linked into place: a link never replaces a key file
  // already there, and nobody can read a half-written one. Of instances starting together, one
  // links its key; the others find it there and read it.
  const draft = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(draft, key.toBase64() + "\n", { createNew: true, mode: 0o600 });
  await Deno.chmod(draft, 0o600);
  try {
    await Deno.link(draft, path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    return await loadServerKey(config, random);
  } finally {
    await Deno.remove(draft);
  }
  return { key, generated: true, path };
}
