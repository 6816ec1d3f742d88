/**
 * One phone connection, independent of the transport (a WebSocket in production, an in-process
 * pipe for the server-side simulator). Frames are handled one at a time in arrival order. Every
 * problem is a typed `error` message with a stable code; a bad frame is answered and the
 * connection keeps serving; a fatal error is answered, then the socket closes with a 4xxx code.
 * Before a valid hello only a hello is accepted (anything else, a ping included, is a fatal
 * `HELLO_REQUIRED`), within the services' hello deadline (`HELLO_TIMEOUT`); frames before it do
 * not extend it. After the hello the idle timeout applies.
 */
import type { AppDeps } from "../deps.ts";
import { claimWithToken } from "./claim.ts";
import { mobileErrorOf } from "../http/error_table.ts";
import {
  CLOSE_CODES,
  encodeBase64,
  LIMITS,
  type MobileErrorCode,
  parsePhoneMessage,
  type PhoneMessage,
  PROTOCOL_VERSION,
} from "./protocol.ts";
import {
  type AttemptRuntime,
  dropRuntime,
  type HandoffServices,
  type MobileSocket,
  runtimeFor,
} from "./services.ts";
import { chipAuthenticationStartMessage, handleAttemptMessage, sendResult } from "./steps.ts";
import { errorFields } from "../core/error_fields.ts";
import { sessionKeys } from "../sessions/types.ts";

/** Errors after which the connection cannot continue. */
const FATAL: ReadonlySet<MobileErrorCode> = new Set(
  Object.keys(CLOSE_CODES) as MobileErrorCode[],
);

/** A phone connection. Feed it frames; it answers through its socket. */
export class MobileConnection {
  readonly #deps: AppDeps;
  readonly #services: HandoffServices;
  readonly #socket: MobileSocket;
  readonly #sessionId: string;
  #runtime: AttemptRuntime | null = null;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #errors = 0;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #watch: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]> | null = null;
  #helloPending = false;
  readonly #onHello: (() => void) | undefined;

  /**
   * Creates the connection for the session of the URL; `onHello` runs once, when a hello
   * succeeds (the WebSocket adapter stops counting the socket as unauthenticated).
   */
  constructor(
    deps: AppDeps,
    services: HandoffServices,
    socket: MobileSocket,
    sessionId: string,
    onHello?: () => void,
  ) {
    this.#deps = deps;
    this.#services = services;
    this.#socket = socket;
    this.#sessionId = sessionId;
    this.#onHello = onHello;
    this.#armHelloTimer();
  }

  /** True once the connection closed (or was told to). */
  get closed(): boolean {
    return this.#closed;
  }

  /** A text frame arrived. */
  receiveText(text: string): Promise<void> {
    this.#deps.services.activity?.note();
    if (this.#runtime) this.#armIdleTimer(); // before the hello, only the hello deadline runs
    this.#queue = this.#queue.then(() => this.#handleFrame(text)).catch((error) => {
      this.#deps.logger.error("mobile.frame_failed", {
        session_id: this.#sessionId,
        ...errorFields(error),
      });
      this.fail("INTERNAL_ERROR", "Something went wrong on our side; reconnect and resume.");
    });
    return this.#queue;
  }

  /** A binary frame arrived: the protocol is JSON text only. */
  receiveBinary(): Promise<void> {
    return this.receiveText("\u0000binary");
  }

  /** The transport closed. */
  transportClosed(): void {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#watch?.cancel().catch(() => {});
    this.#watch = null;
    if (this.#runtime?.socket === this.#socket) {
      this.#runtime.socket = null;
      this.#runtime.lastActivity = Date.now();
    }
  }

  /** Sends a message (adds `v`). */
  send(message: Record<string, unknown>): void {
    if (this.#closed) return;
    try {
      this.#socket.send(JSON.stringify({ v: PROTOCOL_VERSION, ...message }));
    } catch {
      this.transportClosed();
    }
  }

  /** Sends a typed error; closes when it is fatal (or when the phone keeps erring). */
  fail(code: MobileErrorCode, message: string): void {
    const fatal = FATAL.has(code);
    this.send({ type: "error", code, message, fatal });
    if (fatal) return this.close(CLOSE_CODES[code]!, code);
    if (++this.#errors >= LIMITS.maxErrorsPerConnection) {
      this.fail("TOO_MANY_ERRORS", "Too many protocol errors on this connection.");
    }
  }

  /** Closes the connection with a code. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.transportClosed();
    try {
      this.#socket.close(code, reason);
    } catch {
      // already closed by the peer
    }
  }

  #armHelloTimer(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#runtime) return;
      if (this.#helloPending) return this.#armHelloTimer(); // its claim is being committed
      this.fail("HELLO_TIMEOUT", "No valid hello in time; reconnect and say hello first.");
    }, this.#services.helloTimeoutMs);
  }

  #armIdleTimer(): void {
    clearTimeout(this.#idleTimer);
    if (this.#closed) return;
    this.#idleTimer = setTimeout(() => {
      if (this.#runtime?.resultRunning) return this.#armIdleTimer();
      this.fail(
        "IDLE_TIMEOUT",
        "No message for too long; reconnect with the same token to resume.",
      );
    }, this.#services.idleTimeoutMs);
  }

  async #handleFrame(text: string): Promise<void> {
    if (this.#closed) return;
    if (text === "\u0000binary") {
      if (!this.#runtime) return this.fail("HELLO_REQUIRED", "The first message must be a hello.");
      return this.fail(
        "BINARY_NOT_SUPPORTED",
        "Send JSON text frames; binary data travels as base64.",
      );
    }
    const parsed = parsePhoneMessage(text);
    if (!parsed.ok) {
      // Before a successful hello nothing but a hello is acceptable.
      if (!this.#runtime && parsed.error.code !== "PROTOCOL_VERSION_UNSUPPORTED") {
        return this.fail(
          "HELLO_REQUIRED",
          `The first message must be a valid hello: ${parsed.error.message}`,
        );
      }
      return this.fail(parsed.error.code, parsed.error.message);
    }
    const message = parsed.message;
    if (!this.#runtime) {
      // A ping is no hello: it gets no pong and does not keep the socket open.
      if (message.type !== "hello") {
        return this.fail("HELLO_REQUIRED", "The first message must be a hello.");
      }
      this.#helloPending = true;
      try {
        return await this.#hello(message);
      } finally {
        this.#helloPending = false;
      }
    }
    if (message.type === "ping") return this.send({ type: "pong" });
    if (message.type === "hello") {
      return this.fail("ALREADY_HELLO", "This connection already said hello.");
    }
    this.#runtime.lastActivity = Date.now();
    if (this.#runtime.socket !== this.#socket) {
      return this.fail("CONNECTION_REPLACED", "A newer connection took over this attempt.");
    }
    await handleAttemptMessage(this.#deps, this.#services, this, this.#runtime, message);
  }

  async #hello(message: Extract<PhoneMessage, { type: "hello" }>): Promise<void> {
    if (message.session_id !== this.#sessionId) {
      return this.fail("HANDOFF_TOKEN_INVALID", "session_id differs from the URL's session.");
    }
    let claimed;
    try {
      claimed = await claimWithToken(this.#deps, {
        sessionId: message.session_id,
        token: message.token,
        deviceId: message.device_id,
      });
    } catch (error) {
      // The one place the phone's connection maps an error to its code (the close code follows).
      const refusal = mobileErrorOf(error);
      if (refusal) return this.fail(refusal.code, refusal.message);
      throw error;
    }
    if (this.#closed) return; // the peer left (or the deadline passed) during the claim
    const runtime = runtimeFor(this.#deps, this.#services, claimed.attempt.id, claimed.session.id);
    const previous = runtime.socket;
    runtime.socket = this.#socket;
    this.#runtime = runtime;
    this.#armIdleTimer();
    this.#onHello?.();
    if (previous && previous !== this.#socket) replaceSocket(previous);
    this.#deps.logger.info("mobile.hello", {
      session_id: claimed.session.id,
      attempt_id: claimed.attempt.id,
      resumed: claimed.resumed,
    });
    this.send({
      type: "hello_ok",
      session_id: claimed.session.id,
      attempt_id: claimed.attempt.id,
      mode: claimed.session.mode,
      resumed: claimed.resumed,
      aa_challenge: encodeBase64(runtime.aaChallenge),
      received: runtime.artifacts.names(),
      chip_authentication: runtime.chipAuth
        ? chipAuthenticationStartMessage(runtime.chipAuth)
        : null,
      pose_challenge: runtime.poseChallenge,
      limits: LIMITS,
    });
    this.#watchAttempt(claimed.attempt.id);
  }

  /**
   * Tells the phone at once when its attempt ends elsewhere (the user or the integrator
   * cancelled, the session expired) with the usual `result` message, instead of letting it
   * upload for nothing, and drops the attempt's artifacts. Any instance's commit reaches this one
   * through the KV watch.
   */
  #watchAttempt(attemptId: string): void {
    if (this.#watch) return;
    const reader = this.#deps.kv.watch([sessionKeys.attempt(attemptId)]).getReader();
    this.#watch = reader;
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.#closed) return;
        const attempt = value[0]?.value as { status?: string } | null;
        const runtime = this.#runtime;
        if (!attempt || attempt.status === "in_progress" || !runtime || runtime.resultRunning) {
          continue;
        }
        // Same message as a finished verification: the phone learns the end and stops.
        await sendResult(this.#deps, this, runtime);
        dropRuntime(this.#services, runtime.attemptId);
        return;
      }
    })().catch(() => {});
  }
}

function replaceSocket(socket: MobileSocket): void {
  try {
    socket.send(JSON.stringify({
      v: PROTOCOL_VERSION,
      type: "error",
      code: "CONNECTION_REPLACED",
      message: "A newer connection took over this attempt.",
      fatal: true,
    }));
    socket.close(CLOSE_CODES.CONNECTION_REPLACED!, "CONNECTION_REPLACED");
  } catch {
    // the old socket is already gone: that is why the phone reconnected
  }
}
