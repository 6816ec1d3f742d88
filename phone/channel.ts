/**
 * The phone's side of the message stream: a queue of server messages with typed waits, over a
 * WebSocket ({@link openWebSocketChannel}) or any transport that delivers text frames
 * ({@link createQueueChannel}, used by the server-side simulator).
 */

/** A message from the server (see docs/mobile-protocol.md). */
export type ServerMessage = { v: number; type: string } & Record<string, unknown>;

/** The server answered with a typed error (or closed) where the phone expected something else. */
export class PhoneProtocolError extends Error {
  /** Creates the error with the server's stable code. */
  constructor(readonly code: string, message: string, readonly closeCode?: number) {
    super(message);
    this.name = "PhoneProtocolError";
  }
}

/** A bidirectional message stream. */
export interface PhoneChannel {
  /** Sends a message (the caller includes `v`). */
  send(message: Record<string, unknown>): void;
  /** Sends a raw text frame (tests of bad frames). */
  sendRaw(text: string): void;
  /** The next server message; rejects with {@link PhoneProtocolError} on close or timeout. */
  next(timeoutMs?: number): Promise<ServerMessage>;
  /** Resolves with the close code and reason once the stream closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Default wait for one server message. */
export const DEFAULT_WAIT_MS = 30_000;

/** A channel fed by `deliver` (text frames from the server) and `end` (the close). */
export function createQueueChannel(
  transmit: (text: string) => void,
  hangUp: () => void,
): PhoneChannel & { deliver(text: string): void; end(code: number, reason: string): void } {
  const queue: ServerMessage[] = [];
  const waiters: Array<(m: ServerMessage | null) => void> = [];
  let ended: { code: number; reason: string } | null = null;
  let resolveClosed!: (value: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => resolveClosed = r);
  return {
    closed,
    deliver(text) {
      const message = JSON.parse(text) as ServerMessage;
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else queue.push(message);
    },
    end(code, reason) {
      if (ended) return;
      ended = { code, reason };
      resolveClosed(ended);
      for (const waiter of waiters.splice(0)) waiter(null);
    },
    send: (message) => transmit(JSON.stringify(message)),
    sendRaw: (text) => transmit(text),
    next(timeoutMs = DEFAULT_WAIT_MS) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      if (ended) return Promise.reject(closedError(ended));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new PhoneProtocolError("PHONE_TIMEOUT", "No message from the server in time."));
        }, timeoutMs);
        const waiter = (m: ServerMessage | null) => {
          clearTimeout(timer);
          if (m) resolve(m);
          else reject(closedError(ended!));
        };
        waiters.push(waiter);
      });
    },
    close: hangUp,
  };
}

function closedError(ended: { code: number; reason: string }): PhoneProtocolError {
  return new PhoneProtocolError(
    ended.reason || "CONNECTION_CLOSED",
    `The server closed the connection (${ended.code}).`,
    ended.code,
  );
}

/** Opens the phone's WebSocket and resolves once it is open. */
export function openWebSocketChannel(url: string): Promise<PhoneChannel> {
  const socket = new WebSocket(url);
  const channel = createQueueChannel(
    (text) => socket.send(text),
    () => socket.close(1000, "phone done"),
  );
  socket.onmessage = (event) => {
    if (typeof event.data === "string") channel.deliver(event.data);
  };
  socket.onclose = (event) => channel.end(event.code, event.reason);
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(channel);
    socket.onerror = () => {
      channel.end(1006, "CONNECTION_FAILED");
      reject(new PhoneProtocolError("CONNECTION_FAILED", `Could not open ${url}.`));
    };
  });
}
