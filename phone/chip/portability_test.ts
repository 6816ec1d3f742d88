/**
 * The reader core and the emulator must run unchanged in a React Native (Hermes) app: their
 * import graph holds only standard JavaScript, @noble/* and des.js — no `Deno.*`, no WebCrypto
 * `subtle`, no Node built-ins, no other npm package.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ALLOWED_BARE = [/^@noble\/(curves|hashes|ciphers)\//, /^des\.js$/];
const FORBIDDEN = [
  { pattern: /\bDeno\./, what: "Deno.*" },
  { pattern: /\bcrypto\.subtle\b/, what: "crypto.subtle" },
  { pattern: /\bBuffer\./, what: "Node Buffer" },
  { pattern: /\bprocess\.(env|argv|exit)/, what: "Node process" },
  { pattern: /\brequire\(/, what: "require()" },
];

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** Walks the static and dynamic imports from `entry`; returns the problems found. */
export async function importProblems(entry: string): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = stripComments(await Deno.readTextFile(file));
    for (const { pattern, what } of FORBIDDEN) {
      if (pattern.test(code)) problems.push(`${file}: uses ${what}`);
    }
    const specifiers = [
      ...code.matchAll(/(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g),
      ...code.matchAll(/import\s*["']([^"']+)["']/g),
      ...code.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g),
    ].map((m) => m[1]);
    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) {
        queue.push(join(dirname(file), specifier));
      } else if (!ALLOWED_BARE.some((p) => p.test(specifier))) {
        problems.push(`${file}: imports ${specifier}`);
      }
    }
  }
  return problems;
}

const here = dirname(fileURLToPath(import.meta.url));

Deno.test("the reader core's import graph is portable", async () => {
  assert.deepEqual(await importProblems(join(here, "mod.ts")), []);
});

Deno.test("the emulator's import graph is portable", async () => {
  assert.deepEqual(await importProblems(join(here, "emulator", "mod.ts")), []);
});

Deno.test("the walker catches Deno.*, subtle, node: and foreign npm packages", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "a.ts"), `import "./b.ts";\nexport * from "npm:left-pad";`);
    await Deno.writeTextFile(
      join(dir, "b.ts"),
      `import { readFile } from "node:fs";\n// Deno.exit in a comment is fine\nconst k = crypto.subtle;\nDeno.env.get("X");`,
    );
    const problems = await importProblems(join(dir, "a.ts"));
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.ok(problems.some((p) => p.includes("node:fs")));
    assert.ok(problems.some((p) => p.includes("npm:left-pad")));
    assert.ok(problems.some((p) => p.includes("crypto.subtle")));
    assert.ok(problems.some((p) => p.includes("Deno.*")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
