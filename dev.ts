/**
 * Development server: `deno task dev`. Regenerates the manifest and the islands bundle, then
 * runs `main.ts`; Deno's `--watch` restarts it when routes, islands or lib change.
 */
import { buildIslandBundle, writeManifest } from "./lib/framework/manifest.ts";

const root = new URL(".", import.meta.url).pathname;
if (await writeManifest(root)) console.log("manifest regenerated");
await buildIslandBundle(root);
await import("./main.ts").then(async (main) => {
  const { loadConfig } = await import("./lib/core/config.ts");
  const config = loadConfig({ KAYLE_DEV_MODE: "true", ...Deno.env.toObject() });
  const server = await main.startServer(config, {}, { bundle: false });
  console.log(`Kayle ID (dev) is listening on ${server.url}`);
});
