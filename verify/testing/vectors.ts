/**
 * Locates the shared test vectors (`../shared/vectors` beside the repository, or
 * `KAYLE_VECTORS_DIR`). Tests that need them skip with a clear message when absent.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Absolute path of the shared vectors folder, or null when it is not present. */
export function vectorsDir(): string | null {
  const configured = Deno.env.get("KAYLE_VECTORS_DIR");
  const candidate = configured ?? join(repoRoot, "..", "shared", "vectors");
  return existsSync(candidate) ? candidate : null;
}

/** True when the shared vectors are available; tests use it as `ignore: !hasVectors`. */
export const hasVectors: boolean = vectorsDir() !== null;

if (!hasVectors) {
  console.warn(
    "shared vectors not found (../shared/vectors or KAYLE_VECTORS_DIR): vector tests are skipped",
  );
}

/** Reads a file of the shared vectors as bytes. Throws when the vectors are absent. */
export function readVector(relativePath: string): Uint8Array {
  const dir = vectorsDir();
  if (!dir) throw new Error("shared vectors are not available");
  return Deno.readFileSync(join(dir, relativePath));
}

/** Reads and parses a JSON file of the shared vectors. */
export function readVectorJson<T = unknown>(relativePath: string): T {
  return JSON.parse(new TextDecoder().decode(readVector(relativePath))) as T;
}
