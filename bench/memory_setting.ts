/**
 * The V8 flags of the memory setting that docs/self-hosting.md ("Memory") gives operators, read
 * from that page: the page is the contract, and the phones bench measures what it says.
 */

/** The page that states the setting. */
export const SELF_HOSTING_DOC = new URL("../docs/self-hosting.md", import.meta.url);

/** The flags of the page's `DENO_V8_FLAGS=<flags> deno task start` line. */
export function memorySettingFlags(doc: string): string {
  const command = /^DENO_V8_FLAGS=(\S+) deno task start$/m.exec(doc);
  if (!command) {
    throw new Error("docs/self-hosting.md has no `DENO_V8_FLAGS=<flags> deno task start` line");
  }
  return command[1];
}
