/**
 * Entry point: `deno task start`. Validates configuration, opens KV, builds the islands bundle,
 * starts background work, prints the first-run setup link when no user exists, and serves.
 */
import { ConfigError, loadConfig } from "./lib/core/config.ts";
import type { DepsOverrides } from "./lib/bootstrap.ts";
import { createPlatform, type PlatformOptions } from "./lib/platform.ts";
import type { AppDeps } from "./lib/deps.ts";
import { createApp } from "./lib/app.ts";
import { buildIslandBundle, ensureIslandBundle } from "./lib/framework/manifest.ts";
import { issueSetupLink } from "./lib/accounts/setup.ts";
import { runMigrations } from "./lib/migrations/mod.ts";
import { asStartupRefusal } from "./lib/core/startup_checks.ts";
import { manifest } from "./manifest.gen.ts";
import type { Config } from "./lib/core/config.ts";

const root = new URL(".", import.meta.url).pathname;

/** A running server and how to stop it. */
export interface RunningServer {
  url: string;
  shutdown(): Promise<void>;
}

/** Starts the whole platform for a configuration (used by `main` and by tests and benchmarks). */
export async function startServer(
  config: Config,
  overrides: DepsOverrides = {},
  options: {
    /** Build the islands bundle (default), reuse the last build when present, or skip it. */
    bundle?: boolean | "reuse";
    background?: boolean;
    /** Runs on the wired dependencies before the app and the background work (benches). */
    prepare?: (deps: AppDeps) => Promise<void>;
  } & PlatformOptions = {},
): Promise<RunningServer> {
  const platform = await createPlatform(config, overrides, options);
  const deps = platform.deps;
  await options.prepare?.(deps);
  await runMigrations(deps);
  const bundle = options.bundle ?? true;
  if (bundle === "reuse") deps.services.islandsBundle = await ensureIslandBundle(root);
  else if (bundle) deps.services.islandsBundle = await buildIslandBundle(root);
  const app = createApp(deps, manifest);
  const background = (options.background ?? true) ? await platform.startBackground() : null;
  const setupLink = await issueSetupLink(deps);
  if (setupLink) {
    // The one line that carries a secret: the operator needs it to create the first owner.
    console.log(`\nFirst run: create the owner account at\n  ${setupLink}\n`);
  }
  const server = Deno.serve(
    { port: config.port, hostname: config.hostname, onListen: () => {} },
    app.fetch,
  );
  const address = server.addr as Deno.NetAddr;
  const url = `http://${address.hostname}:${address.port}`;
  deps.logger.info("server.listening", {
    url,
    public_url: config.publicUrl,
    dev_mode: config.devMode,
  });
  return {
    url,
    async shutdown() {
      await server.shutdown();
      await background?.stop();
      await deps.usage.close();
      deps.kv.close();
    },
  };
}

if (import.meta.main) {
  let config: Config;
  try {
    config = loadConfig(Deno.env.toObject());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      Deno.exit(2);
    }
    throw error;
  }
  let server: RunningServer;
  try {
    // `deno task build` made the bundle; a start without one builds it.
    server = await startServer(config, {}, { bundle: "reuse" });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(
        `${config.hostname}:${config.port} is already in use: stop the other server or set PORT.`,
      );
      Deno.exit(2);
    }
    // A refused start (lost server key, orphaned journal, corrupted KV): a message, no stack.
    const refusal = asStartupRefusal(error, config);
    if (refusal) {
      console.error(refusal.message);
      Deno.exit(2);
    }
    throw error;
  }
  console.log(`Kayle ID is listening on ${server.url} (public URL ${config.publicUrl})`);
  const stop = async () => {
    await server.shutdown();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
