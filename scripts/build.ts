/**
 * `deno task build`: bundles the islands into `static/build/islands.<hash>.js` (served
 * `immutable`) and records it in `static/build/bundle.json`; `deno task start` then serves that
 * build and bundles only when none is present.
 */
import { buildIslandBundle } from "../lib/framework/manifest.ts";

const root = new URL("..", import.meta.url).pathname;
console.log(`islands bundle: ${await buildIslandBundle(root)}`);
