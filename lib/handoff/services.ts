/**
 * The per-instance state of the phone protocol: the live connection of each attempt (one at a
 * time: a reconnect replaces the old socket), the in-memory runtime of each attempt (artifacts,
 * challenges, the CA session; dropped when the attempt ends or is abandoned), the biometric
 * verifier (from `deps.services.biometric`, created lazily when absent), the idle timeout, the
 * hello deadline and the count of sockets per address still waiting for their hello.
 *
 * Stored on `deps.services.handoff`; tests install it with their own options.
 */
import type { AppDeps } from "../deps.ts";
import type { BiometricVerifier, PoseChallenge } from "../../verify/biometric/mod.ts";
import type { ChipAuthenticationRelay, ChipAuthenticationStart } from "../../verify/mod.ts";
import { ArtifactStore } from "./uploads.ts";
import { CLOSE_CODES, PROTOCOL_VERSION } from "./protocol.ts";

/** Default idle timeout of a phone connection. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/** Default time a new connection has to send a valid hello (docs/mobile-protocol.md §2). */
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;

/** Default cap of sockets per client address that have not said a valid hello yet (per instance). */
export const DEFAULT_MAX_PENDING_SOCKETS_PER_ADDRESS = 20;

/** A runtime nobody touched for this long is dropped (its session's hour is nearly gone anyway). */
export const ABANDONED_RUNTIME_MS = 15 * 60_000;

/** The transport a connection speaks through (a WebSocket, or an in-process pipe). */
export interface MobileSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** What one attempt gathered so far (memory only). */
export interface AttemptRuntime {
  attemptId: string;
  sessionId: string;
  artifacts: ArtifactStore;
  aaChallenge: Uint8Array;
  aaSignature: Uint8Array | null;
  chipAuth: {
    start: ChipAuthenticationStart;
    command: Uint8Array;
    relay: ChipAuthenticationRelay | null;
  } | null;
  poseChallenge: PoseChallenge | null;
  resultRunning: boolean;
  lastActivity: number;
  /** The live connection's socket, if any. */
  socket: MobileSocket | null;
}

/** Options of {@link installHandoffServices}. */
export interface HandoffServiceOptions {
  idleTimeoutMs?: number;
  helloTimeoutMs?: number;
  maxPendingSocketsPerAddress?: number;
  /** A verifier (tests inject one); else `deps.services.biometric`, else the local one. */
  biometric?: BiometricVerifier | null;
}

/** The services of the phone protocol. */
export interface HandoffServices {
  idleTimeoutMs: number;
  /** A connection without a valid hello after this long is closed (`HELLO_TIMEOUT`). */
  helloTimeoutMs: number;
  /** Sockets per client address still waiting for their hello; more answer 429 before upgrading. */
  maxPendingSocketsPerAddress: number;
  /** Those sockets, counted per client address. */
  pendingSockets: Map<string, number>;
  runtimes: Map<string, AttemptRuntime>;
  /** The verifier, or null when none can be loaded (the face match then fails closed). */
  biometric(): Promise<BiometricVerifier | null>;
}

/** Installs the services on `deps.services.handoff` (replacing earlier ones). */
export function installHandoffServices(
  deps: AppDeps,
  options: HandoffServiceOptions = {},
): HandoffServices {
  if (options.biometric !== undefined) deps.services.biometric = Promise.resolve(options.biometric);
  const services: HandoffServices = {
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    helloTimeoutMs: options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS,
    maxPendingSocketsPerAddress: options.maxPendingSocketsPerAddress ??
      DEFAULT_MAX_PENDING_SOCKETS_PER_ADDRESS,
    pendingSockets: new Map(),
    runtimes: new Map(),
    biometric: () => biometricOf(deps),
  };
  deps.services.handoff = services;
  return services;
}

/** The installed services, installing the defaults on first use. */
export function handoffServices(deps: AppDeps): HandoffServices {
  return deps.services.handoff ?? installHandoffServices(deps);
}

async function biometricOf(deps: AppDeps): Promise<BiometricVerifier | null> {
  if (deps.services.biometric === undefined) {
    // The operator's own verifier when configured (it fails closed on its own; the local model
    // is then never loaded), else the local model on a worker thread, so a face check never
    // holds up the instance's other requests.
    const remote = deps.config.faceVerifier;
    const verifier = remote
      ? import("../../verify/biometric/remote_verifier.ts").then((m) => {
        deps.logger.info("biometric.remote_verifier", { host: new URL(remote.url).host });
        return m.createRemoteBiometricVerifier({
          url: remote.url,
          timeoutMs: remote.timeoutMs,
          headers: remote.token ? { authorization: `Bearer ${remote.token}` } : undefined,
        });
      })
      : import("../../verify/biometric/worker_verifier.ts").then((m) =>
        m.createWorkerBiometricVerifier()
      );
    deps.services.biometric = verifier
      .catch(() => {
        deps.logger.error("biometric.unavailable", { error_class: "load_failed" });
        return null;
      });
  }
  return await deps.services.biometric;
}

/** The runtime of an attempt, created on its first claim. */
export function runtimeFor(
  deps: AppDeps,
  services: HandoffServices,
  attemptId: string,
  sessionId: string,
): AttemptRuntime {
  dropAbandoned(services, Date.now());
  let runtime = services.runtimes.get(attemptId);
  if (!runtime) {
    runtime = {
      attemptId,
      sessionId,
      artifacts: new ArtifactStore(),
      aaChallenge: deps.random.bytes(8),
      aaSignature: null,
      chipAuth: null,
      poseChallenge: null,
      resultRunning: false,
      lastActivity: Date.now(),
      socket: null,
    };
    services.runtimes.set(attemptId, runtime);
  }
  return runtime;
}

/** Drops an attempt's runtime and everything it held. */
export function dropRuntime(services: HandoffServices, attemptId: string): void {
  const runtime = services.runtimes.get(attemptId);
  if (!runtime) return;
  runtime.artifacts.clear();
  runtime.aaSignature = null;
  runtime.chipAuth = null;
  services.runtimes.delete(attemptId);
}

function dropAbandoned(services: HandoffServices, now: number): void {
  for (const runtime of services.runtimes.values()) {
    if (
      !runtime.socket && !runtime.resultRunning && now - runtime.lastActivity > ABANDONED_RUNTIME_MS
    ) {
      dropRuntime(services, runtime.attemptId);
    }
  }
}

/**
 * At shutdown: tells every connected phone `SERVER_SHUTTING_DOWN` (fatal) and closes its socket
 * with that close code. The attempts stay in KV, so the phones resume on another instance (or
 * after the restart) with the same token.
 */
export function closePhoneConnectionsForShutdown(services: HandoffServices): void {
  for (const runtime of services.runtimes.values()) {
    const socket = runtime.socket;
    if (!socket) continue;
    try {
      socket.send(JSON.stringify({
        v: PROTOCOL_VERSION,
        type: "error",
        code: "SERVER_SHUTTING_DOWN",
        message: "The server is restarting; reconnect with the same token.",
        fatal: true,
      }));
      socket.close(CLOSE_CODES.SERVER_SHUTTING_DOWN!, "SERVER_SHUTTING_DOWN");
    } catch {
      // already gone
    }
  }
}
