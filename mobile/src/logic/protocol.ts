/**
 * The app's client of the phone protocol v1 (docs/mobile-protocol.md §2–§5), React-Native-safe:
 * the WebSocket global (or an injected factory), JSON text frames, chunked uploads with SHA-256,
 * no Node or Deno APIs. One {@link Connection} is one WebSocket; the flow reconnects and says the
 * same hello to resume.
 */
import { sha256Hex, toBase64 } from "./bytes.ts";

/** The protocol version this client speaks. */
export const PROTOCOL_VERSION = 1;
/** Raw bytes per chunk (≤ 128 KiB; base64 keeps the frame well under 256 KiB). */
export const CHUNK_BYTES = 96 * 1024;
/** Default wait for one server message. */
export const MESSAGE_TIMEOUT_MS = 60_000;

/** What the app needs of a WebSocket (the React Native and browser global has it). */
export interface SocketLike {
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a WebSocket to `url`. */
export type SocketFactory = (url: string) => SocketLike;

/** The global WebSocket as a {@link SocketFactory}. */
export const globalSocketFactory: SocketFactory = (url) =>
  new WebSocket(url) as unknown as SocketLike;

/** A message from the server. */
export type ServerMessage =
  & { v: number; type: string }
  & Record<string, unknown>;

/** Codes after which the same hello on a new connection resumes the attempt (§3, §4). */
export const RESUMABLE_CODES = new Set([
  "CONNECTION_LOST",
  "CONNECTION_FAILED",
  "IDLE_TIMEOUT",
  // §3: "reconnect and say hello first".
  "HELLO_TIMEOUT",
  "SERVER_SHUTTING_DOWN",
  "INTERNAL_ERROR",
  "CONNECTION_REPLACED_BY_SELF",
  "PHONE_TIMEOUT",
]);

/** The server refused something (an `error` message), or the connection ended. */
export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fatal: boolean,
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = "ServerError";
  }
  /** True when reconnecting with the same hello may continue the attempt. */
  get resumable(): boolean {
    return RESUMABLE_CODES.has(this.code);
  }
}

/** The attempt ended while the app waited for something else (a `result` message). */
export class AttemptEnded extends Error {
  constructor(readonly result: ServerMessage) {
    super(`attempt ended: ${String(result.status)}`);
    this.name = "AttemptEnded";
  }
}

/** One WebSocket of the protocol. */
export class Connection {
  readonly #socket: SocketLike;
  readonly #queue: ServerMessage[] = [];
  readonly #waiters: Array<(m: ServerMessage | null) => void> = [];
  #ended: ServerError | null = null;
  /** Called with a `result` that arrives while nothing waits (the attempt ended elsewhere). */
  onResultWhileIdle: ((result: ServerMessage) => void) | null = null;

  private constructor(socket: SocketLike) {
    this.#socket = socket;
  }

  /** Opens a connection; rejects with `CONNECTION_FAILED` when the socket does not open. */
  static open(
    url: string,
    factory: SocketFactory = globalSocketFactory,
  ): Promise<Connection> {
    return new Promise((resolve, reject) => {
      let socket: SocketLike;
      try {
        socket = factory(url);
      } catch {
        reject(
          new ServerError(
            "CONNECTION_FAILED",
            "Could not reach the server.",
            true,
          ),
        );
        return;
      }
      const connection = new Connection(socket);
      let opened = false;
      socket.onopen = () => {
        opened = true;
        resolve(connection);
      };
      socket.onmessage = (event) => {
        if (typeof event.data !== "string") return;
        let message: ServerMessage;
        try {
          message = JSON.parse(event.data) as ServerMessage;
        } catch {
          return;
        }
        if (
          !message || typeof message.type !== "string" ||
          message.type === "pong"
        ) return;
        const waiter = connection.#waiters.shift();
        if (waiter) return waiter(message);
        connection.#queue.push(message);
        // Nobody waits: the attempt ended elsewhere (a `result`, §5) while the user was busy.
        if (message.type === "result") connection.onResultWhileIdle?.(message);
      };
      socket.onerror = () => {
        if (!opened) {
          connection.#end(
            new ServerError(
              "CONNECTION_FAILED",
              "Could not reach the server.",
              true,
            ),
          );
          reject(connection.#ended);
        }
      };
      socket.onclose = (event) => {
        if (!opened) {
          connection.#end(
            new ServerError(
              "CONNECTION_FAILED",
              "Could not reach the server.",
              true,
            ),
          );
          reject(connection.#ended);
          return;
        }
        connection.#end(
          new ServerError(
            "CONNECTION_LOST",
            "The connection to the server was lost.",
            true,
            event?.code,
          ),
        );
      };
    });
  }

  /** False once the socket closed or a fatal error ended it. */
  get isOpen(): boolean {
    return this.#ended === null;
  }

  #end(error: ServerError): void {
    if (this.#ended) return;
    this.#ended = error;
    for (const waiter of this.#waiters.splice(0)) waiter(null);
  }

  /** Sends one message (adds `v`). */
  send(message: Record<string, unknown>): void {
    if (this.#ended) throw this.#ended;
    try {
      this.#socket.send(JSON.stringify({ v: PROTOCOL_VERSION, ...message }));
    } catch {
      // The socket is closing under us: the same as a drop (the flow resumes).
      this.#end(
        new ServerError(
          "CONNECTION_LOST",
          "The connection to the server was lost.",
          true,
        ),
      );
      throw this.#ended;
    }
  }

  /** The next server message (a fatal `error` ends the connection with its code). */
  next(timeoutMs = MESSAGE_TIMEOUT_MS): Promise<ServerMessage> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const waiter = (m: ServerMessage | null) => {
        clearTimeout(timer);
        if (m) resolve(m);
        else reject(this.#ended);
      };
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(
          new ServerError(
            "PHONE_TIMEOUT",
            "The server did not answer in time.",
            true,
          ),
        );
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /**
   * Waits for a message of `type`. An `error` rejects with {@link ServerError}; a `result` that
   * was not asked for (the attempt ended elsewhere) rejects with {@link AttemptEnded}.
   */
  async expect(type: string, timeoutMs?: number): Promise<ServerMessage> {
    const message = await this.next(timeoutMs);
    if (message.type === type) return message;
    if (message.type === "error") {
      const fatal = message.fatal === true;
      const error = new ServerError(
        String(message.code),
        String(message.message ?? ""),
        fatal,
      );
      if (fatal) this.#end(error);
      throw error;
    }
    if (message.type === "result") throw new AttemptEnded(message);
    throw new ServerError(
      "UNEXPECTED_MESSAGE",
      `Expected ${type}, got ${message.type}.`,
      false,
    );
  }

  /** Closes the socket normally. */
  close(): void {
    this.#end(
      new ServerError("CONNECTION_CLOSED", "Closed by the app.", true, 1000),
    );
    try {
      this.#socket.close(1000, "app done");
    } catch {
      // already closed
    }
  }

  /** Says hello; resolves with `hello_ok`. */
  async hello(hello: {
    sessionId: string;
    token: string;
    deviceId: string;
    appVersion: string;
  }): Promise<ServerMessage> {
    this.send({
      type: "hello",
      session_id: hello.sessionId,
      token: hello.token,
      device_id: hello.deviceId,
      app_version: hello.appVersion,
    });
    return await this.expect("hello_ok");
  }

  /**
   * Uploads one artifact in chunks with its SHA-256; resolves with `artifact_received`. A
   * `CHECKSUM_MISMATCH` is retried once (a repeated begin restarts the artifact).
   */
  async upload(
    artifact: string,
    bytes: Uint8Array,
    index = 0,
  ): Promise<ServerMessage> {
    const sha256 = sha256Hex(bytes);
    for (let attempt = 0;; attempt++) {
      this.send({
        type: "artifact_begin",
        artifact,
        index,
        size: bytes.length,
        sha256,
      });
      for (
        let seq = 0, offset = 0;
        offset < bytes.length;
        seq++, offset += CHUNK_BYTES
      ) {
        const data = toBase64(bytes.subarray(offset, offset + CHUNK_BYTES));
        this.send({ type: "artifact_chunk", artifact, index, seq, data });
      }
      this.send({ type: "artifact_end", artifact, index });
      try {
        return await this.expect("artifact_received");
      } catch (error) {
        if (
          error instanceof ServerError && error.code === "CHECKSUM_MISMATCH" &&
          attempt === 0
        ) {
          continue;
        }
        throw error;
      }
    }
  }
}
