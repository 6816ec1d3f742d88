/**
 * The passport test vectors, kept in the repository at `tests/vectors/` (sources and licences in
 * `tests/vectors/PROVENANCE.md`). Every test and bench that reads a vector resolves it here, so a
 * fresh clone runs them all.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const folder = fileURLToPath(new URL("../tests/vectors/", import.meta.url));

/** Absolute path of the vectors folder. */
export function vectorsDir(): string {
  return folder;
}

/** Reads a file of the vectors as bytes. */
export function readVector(relativePath: string): Uint8Array {
  return Deno.readFileSync(join(folder, relativePath));
}

/** Reads and parses a JSON file of the vectors. */
export function readVectorJson<T = unknown>(relativePath: string): T {
  return JSON.parse(new TextDecoder().decode(readVector(relativePath))) as T;
}
