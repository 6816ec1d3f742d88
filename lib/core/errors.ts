/**
 * The base of every coded error of the platform's layers: a stable machine-readable `code` and a
 * message safe to show (never personal data or key material). Layers throw their own subclasses
 * and never choose an HTTP status or a WebSocket close code: `lib/http/error_table.ts` maps a code
 * to its answer, once, for `onError` (`lib/app.ts`) and for the phone connection
 * (`lib/handoff/connection.ts` → `CLOSE_CODES` of `lib/handoff/protocol.ts`). The portable verification
 * core keeps its own `CodedError` (`verify/errors.ts`): its codes are internal reasons, never
 * answered as they are.
 */
export class CodedError<Code extends string = string> extends Error {
  /** Creates the error with its stable code. */
  constructor(readonly code: Code, message: string) {
    super(message);
    this.name = new.target.name;
  }
}
