/**
 * `deno task face-server`: the local face model behind the remote verifier's HTTP contract
 * (`lib/face_service/app.ts`, docs/biometrics.md "Remote verifier"), so an operator can run face
 * checks in their own process or on another machine and point the API server's
 * `KAYLE_FACE_VERIFIER_URL` at it.
 *
 * Environment: `FACE_SERVER_PORT` (default 8790), `FACE_SERVER_HOSTNAME` (default 127.0.0.1),
 * `KAYLE_FACE_SERVICE_TOKEN` (the bearer token callers send; required unless the service listens
 * on loopback only), `KAYLE_LOG_LEVEL`. Refusals exit with code 2 and a message.
 */
import { createLogger } from "../lib/core/logger.ts";
import { createFaceServiceApp } from "../lib/face_service/app.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** The service's settings from the environment, or the problems that refuse the start. */
export function faceServerSettings(env: Record<string, string | undefined>):
  | { ok: true; port: number; hostname: string; token: string | null }
  | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const port = Number(env.FACE_SERVER_PORT ?? 8790);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push("FACE_SERVER_PORT must be a port number");
  }
  const hostname = env.FACE_SERVER_HOSTNAME || "127.0.0.1";
  const token = env.KAYLE_FACE_SERVICE_TOKEN || null;
  if (token !== null && token.length < 16) {
    problems.push("KAYLE_FACE_SERVICE_TOKEN must be at least 16 characters (openssl rand -hex 32)");
  }
  if (token === null && !LOOPBACK.has(hostname)) {
    problems.push(
      `FACE_SERVER_HOSTNAME=${hostname} is reachable from other machines: set ` +
        "KAYLE_FACE_SERVICE_TOKEN, or listen on 127.0.0.1",
    );
  }
  return problems.length ? { ok: false, problems } : { ok: true, port, hostname, token };
}

if (import.meta.main) {
  const settings = faceServerSettings(Deno.env.toObject());
  if (!settings.ok) {
    for (const problem of settings.problems) console.error(`face-server: ${problem}`);
    Deno.exit(2);
  }
  const level = (Deno.env.get("KAYLE_LOG_LEVEL") ?? "info") as "debug" | "info" | "warn" | "error";
  const logger = createLogger({ level });
  // On its worker thread, so `/healthz` and the requests waiting their turn are answered while a
  // check runs.
  const { createWorkerBiometricVerifier } = await import("../verify/biometric/worker_verifier.ts");
  const verifier = await createWorkerBiometricVerifier();
  const app = createFaceServiceApp({ verifier, token: settings.token, logger });
  Deno.serve({
    port: settings.port,
    hostname: settings.hostname,
    onListen: ({ hostname, port }) =>
      logger.info("face_service.listening", {
        host: hostname,
        port,
        auth: settings.token ? "bearer" : "none",
      }),
  }, app.fetch);
}
