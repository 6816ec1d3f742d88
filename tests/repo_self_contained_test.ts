/**
 * The repository stands on its own: no comment or doc cites a specification that is not in it
 * (the contract is `docs/`), and no test reads data from beside it (the passport vectors are in
 * `tests/vectors/`).
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
// Spelled in pieces so that this file does not match itself; a citation may wrap onto a new line.
const forbidden = [new RegExp("SPEC\\s+" + "§"), /\.\.\/shared/, /shared\/vectors/];

const skipped = new Set([".git", "node_modules", "data", "vectors", "dist", "build"]);

/** Relative paths of the repository's files whose names match `pattern`. */
async function* walk(base: URL, pattern: RegExp, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(prefix || ".", base))) {
    if (skipped.has(entry.name)) continue;
    const path = prefix + entry.name;
    if (entry.isDirectory) yield* walk(base, pattern, path + "/");
    else if (entry.isFile && pattern.test(entry.name)) yield path;
  }
}

Deno.test("no source, test or doc cites an outside spec or reads a folder beside the repository", async () => {
  const hits: string[] = [];
  for await (const path of walk(root, /\.(ts|tsx|md|json|sh)$/)) {
    const text = await Deno.readTextFile(new URL(path, root));
    for (const needle of forbidden) {
      if (needle.test(text)) hits.push(`${path}: ${needle.source}`);
    }
  }
  assert.deepEqual(hits, []);
});

Deno.test("the passport vectors are in the repository", () => {
  const provenance = Deno.statSync(new URL("tests/vectors/PROVENANCE.md", root));
  assert.equal(provenance.isFile, true);
  const sod = Deno.statSync(new URL("tests/vectors/etsi-eacaa/EF_SOD.bin", root));
  assert.equal(sod.isFile, true);
});
