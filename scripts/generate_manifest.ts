/** `deno task manifest`: regenerates `manifest.gen.ts` and `islands.client.gen.ts`. */
import { writeManifest } from "../lib/framework/manifest.ts";

const root = new URL("..", import.meta.url).pathname;
console.log((await writeManifest(root)) ? "manifest regenerated" : "manifest up to date");
