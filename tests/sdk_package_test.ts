/**
 * The SDK as an npm package: `npm pack` of `sdk/js` offline (which builds `dist/` with `tsc`), the
 * tarball unpacked into a fresh project, its type declarations checked by `tsc` from a consumer
 * file, the REST client run by `node`, and the Express and `node:http` receiver samples (`node`)
 * and the Hono one (`bun`, from `sdk/receivers`' npm install) run on that package against real
 * deliveries.
 *
 * Needs `npm ci` in `sdk/js` and `sdk/receivers` (`.ci/run` does it; done here when missing).
 */
import assert from "node:assert/strict";
import { EDGE_CASES, runReceiverSample, type SdkServer, startSdkServer } from "./support/sdk.ts";

const root = new URL("../", import.meta.url).pathname;
const sdkDir = `${root}sdk/js`;
const receiversDir = `${root}sdk/receivers`;

async function run(command: string, args: string[], cwd: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_UPDATE_NOTIFIER: "1", npm_config_fund: "false", npm_config_audit: "false" },
  }).output();
  const out = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) failed:\n${out}\n${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function ensureInstalled(dir: string, needed: string[]): Promise<void> {
  for (const path of needed) {
    if (!(await exists(`${dir}/node_modules/${path}`))) return void await run("npm", ["ci"], dir);
  }
}

Deno.test({
  name: "sdk package: npm pack offline, its types, the client on node, receivers on node and bun",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await ensureInstalled(sdkDir, ["jose", "typescript"]);
    await ensureInstalled(receiversDir, ["express", ".bin/bun"]);
    const work = await Deno.makeTempDir({ prefix: "kayle-sdk-node-" });
    let server: SdkServer | null = null;
    try {
      const app = `${work}/app`;
      await t.step("npm pack works offline and ships dist and the README only", async () => {
        const packed = JSON.parse(
          await run("npm", ["pack", "--offline", "--json", "--pack-destination", work], sdkDir),
        );
        const files = (packed[0].files as Array<{ path: string }>).map((f) => f.path).sort();
        assert.ok(files.includes("dist/index.js") && files.includes("dist/index.d.ts"), `${files}`);
        assert.ok(files.includes("README.md") && files.includes("package.json"));
        assert.deepEqual(
          files.filter((f) => !f.startsWith("dist/") && f !== "README.md" && f !== "package.json"),
          [],
          "nothing but dist/, README.md and package.json",
        );
        const pkg = `${app}/node_modules/@kayle-id/sdk`;
        await Deno.mkdir(pkg, { recursive: true });
        await run("tar", [
          "-xzf",
          `${work}/${packed[0].filename}`,
          "-C",
          pkg,
          "--strip-components=1",
        ], work);
        // The package's one dependency and the sample's framework, from their npm installs.
        await Deno.symlink(`${sdkDir}/node_modules/jose`, `${app}/node_modules/jose`);
        await Deno.symlink(`${receiversDir}/node_modules/express`, `${app}/node_modules/express`);
        await Deno.writeTextFile(`${app}/package.json`, JSON.stringify({ type: "module" }));
      });

      await t.step("the declarations type a consumer (tsc, NodeNext)", async () => {
        await Deno.writeTextFile(
          `${app}/consumer.ts`,
          `import { Kayle, KayleWebhookError, verifyAndDecrypt, type KayleEvent, type VerificationSession } from "@kayle-id/sdk";
const kayle = new Kayle({ apiKey: "kk_test_x", baseUrl: "http://127.0.0.1:1" });
export async function create(): Promise<VerificationSession> {
  return await kayle.sessions.create({ share_fields: { age_over_18: { required: true, reason: "Adults only" } } });
}
export async function receive(body: Uint8Array, headers: Record<string, string>): Promise<string | undefined> {
  try {
    const event: KayleEvent = await verifyAndDecrypt(body, headers, { signingSecrets: ["whsec_x"], privateKeys: {} });
    if (event.type === "verification.session.succeeded") return event.data.claims.family_name;
  } catch (error) {
    if (error instanceof KayleWebhookError && error.code === "parsed_body") return undefined;
    throw error;
  }
  return undefined;
}
// @ts-expect-error: a session has no field "claims" (the types come from the OpenAPI document)
export const wrong = (s: VerificationSession) => s.claims;
`,
        );
        await Deno.writeTextFile(
          `${app}/tsconfig.json`,
          JSON.stringify({
            compilerOptions: {
              module: "NodeNext",
              moduleResolution: "NodeNext",
              target: "ES2022",
              lib: ["ES2022", "DOM"],
              strict: true,
              noEmit: true,
              types: [],
            },
            files: ["consumer.ts"],
          }),
        );
        await run(
          "node",
          [`${sdkDir}/node_modules/typescript/bin/tsc`, "-p", "tsconfig.json"],
          app,
        );
      });

      server = await startSdkServer();
      const s = server;
      await t.step(
        "the REST client on node: create, every page, cancel, a typed error",
        async () => {
          await Deno.writeTextFile(
            `${app}/client-check.mjs`,
            `import { Kayle, KayleApiError } from "@kayle-id/sdk";
const kayle = new Kayle({ apiKey: process.env.KAYLE_API_KEY, baseUrl: process.env.KAYLE_URL });
const created = [];
for (let i = 0; i < 3; i++) {
  created.push((await kayle.sessions.create({}, { idempotencyKey: "node-" + i })).id);
}
const again = await kayle.sessions.create({}, { idempotencyKey: "node-0" });
const listed = [];
for await (const session of kayle.sessions.list({ limit: 2 })) listed.push(session.id);
const cancelled = await kayle.sessions.cancel(created[0]);
const error = await kayle.sessions.get("vs_unknown").catch((e) => e);
console.log(JSON.stringify({
  created, again: again.id, listed, cancelled: cancelled.status,
  error: error instanceof KayleApiError ? [error.status, error.code, Boolean(error.requestId)] : String(error),
}));
`,
          );
          const { code, stdout, stderr } = await new Deno.Command("node", {
            args: ["client-check.mjs"],
            cwd: app,
            env: { KAYLE_API_KEY: s.apiKey, KAYLE_URL: s.url },
            stdout: "piped",
            stderr: "piped",
          }).output();
          assert.equal(code, 0, new TextDecoder().decode(stderr));
          const result = JSON.parse(new TextDecoder().decode(stdout));
          assert.equal(
            result.again,
            result.created[0],
            "the idempotency key returned the same session",
          );
          assert.deepEqual(result.listed, result.created.toReversed());
          assert.equal(result.cancelled, "cancelled");
          assert.deepEqual(result.error, [404, "NOT_FOUND", true]);
        },
      );
      for (const sample of ["express.mjs", "node-http.mjs"]) {
        await t.step(
          `${sample} on node receives, verifies and decrypts a real delivery`,
          async () => {
            await Deno.copyFile(`${receiversDir}/${sample}`, `${app}/${sample}`);
            const result = await runReceiverSample(s, (env) =>
              new Deno.Command("node", {
                args: [sample],
                cwd: app,
                env,
                stdout: "piped",
                stderr: "piped",
              }).spawn());
            assert.equal(result.summary.type, "verification.session.succeeded");
            assert.equal(result.summary.claims?.family_name, "ERIKSSON");
            assert.equal(result.summary.claims?.age_over_18, true);
            assert.deepEqual(result.refusal, { status: 400, body: "signature_mismatch" });
            assert.deepEqual(result.edges, EDGE_CASES);
          },
        );
      }
      await t.step("hono.ts on bun receives, verifies and decrypts a real delivery", async () => {
        await Deno.copyFile(`${receiversDir}/hono.ts`, `${app}/hono.ts`);
        await Deno.symlink(`${root}node_modules/hono`, `${app}/node_modules/hono`);
        const result = await runReceiverSample(
          s,
          (env) =>
            new Deno.Command(`${receiversDir}/node_modules/.bin/bun`, {
              args: ["run", "hono.ts"],
              cwd: app,
              env: { ...env, NODE_ENV: "production" },
              stdout: "piped",
              stderr: "piped",
            }).spawn(),
        );
        assert.equal(result.summary.type, "verification.session.succeeded");
        assert.equal(result.summary.claims?.family_name, "ERIKSSON");
        assert.deepEqual(result.refusal, { status: 400, body: "signature_mismatch" });
        assert.deepEqual(result.edges, EDGE_CASES);
      });
    } finally {
      await server?.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
