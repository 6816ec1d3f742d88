/**
 * The app's verification flow as a state machine the screens render:
 * link → details (who asks, what is shared) → MRZ entry → connect (hello with the handoff token)
 * → NFC read (progress, "hold still", resume after a lost tag) → uploads, AA, CA relay → selfie
 * frames for the pose challenge → confirm → result → back to the browser
 * (docs/mobile-protocol.md). Every dependency with the outside world (HTTP, WebSocket, NFC, the
 * device id) is injected; the key, the files and the frames live in this object's memory only
 * and are dropped when the attempt ends.
 */
import type { AccessKey, ChipAuthenticationStart, ChipFileName } from "../../../phone/chip/mod.ts";
import { type HandoffLink, LinkError, parseHandoffLink, parseShortLink } from "./links.ts";
import { type MrzEntry, validateMrzEntry } from "./mrz.ts";
import { fromBase64, toBase64 } from "./bytes.ts";
import { AttemptEnded, Connection, ServerError, type ServerMessage } from "./protocol.ts";
import { outcomeMessage, POSE_INSTRUCTIONS } from "./messages.ts";
import { runChipSession } from "./chip_step.ts";
import {
  errorState,
  fetchDetails,
  type FlowDeps,
  type FlowState,
  NFC_PROMPT,
  ReadChipAgain,
  resolveShortLink,
  type ShareField,
  UPLOAD_ORDER,
} from "./flow_support.ts";

export { type FlowDeps, type FlowState, NFC_PROMPT, type ShareField } from "./flow_support.ts";

/** `RESULT_IN_PROGRESS` (§3): ask for the result again every second, for up to two minutes. */
const RESULT_ASK_EVERY_MS = 1_000;
const RESULT_ASKS = 120;

/** One verification as the app runs it. */
export class VerificationFlow {
  state: FlowState = { step: "start" };
  readonly #deps: FlowDeps;
  readonly #listeners = new Set<(state: FlowState) => void>();
  #link: HandoffLink | null = null;
  #lastLink: string | null = null;
  #details: { organizationName: string; shareFields: ShareField[] } | null = null;
  #key: AccessKey | null = null;
  readonly #files = new Map<ChipFileName, Uint8Array>();
  readonly #absent = new Set<ChipFileName>();
  #connection: Connection | null = null;
  #hello: ServerMessage | null = null;
  #received = new Set<string>();
  #aaSignature: Uint8Array | null = null;
  #aaAcknowledged = false;
  /** Set by a resume that lost this attempt's uploads: the next server action reads the chip. */
  #chipAgain = false;
  #caDone = false;
  #poses: string[] | null = null;

  constructor(deps: FlowDeps) {
    this.#deps = deps;
  }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  subscribe(listener: (state: FlowState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #set(state: FlowState): void {
    this.state = state;
    for (const listener of this.#listeners) listener(state);
  }

  #fail(error: unknown): void {
    if (error instanceof AttemptEnded) return this.#showResult(error.result);
    const failure = errorState(error);
    if (failure.forgetDocument) this.#forgetDocument();
    if (failure.endAttempt) this.#endAttempt();
    this.#set(failure.state);
  }

  /** Opens a scanned or tapped handoff link and loads the session's public details. */
  async openLink(input: string): Promise<void> {
    this.#lastLink = input;
    try {
      const short = parseShortLink(input, this.#deps.config);
      if (short) this.#set({ step: "loading" });
      const link = short
        ? await resolveShortLink(
          short,
          this.#deps.config,
          this.#deps.fetch ?? fetch,
        )
        : parseHandoffLink(input, this.#deps.config);
      this.#link = link;
      if (!short) this.#set({ step: "loading" });
      const { mode, ...details } = await fetchDetails(
        link,
        this.#deps.fetch ?? fetch,
      );
      this.#details = details;
      this.#set({ step: "details", ...details, mode });
    } catch (error) {
      this.#fail(error);
      // Nothing was claimed yet: trying again is opening the same link again.
      if (this.state.step === "error" && this.state.retry) {
        this.#set({ ...this.state, retry: "link" });
      }
    }
  }

  /**
   * From the details screen to the MRZ entry: the user has said yes, so the app claims the
   * attempt now (the first hello), and the handoff code's 5 minutes do not run out while the
   * user fetches the passport and types. A later idle close is resumed with the same hello.
   */
  async continueToMrz(): Promise<void> {
    try {
      await this.#connected();
      this.#set({ step: "mrz", error: null });
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Takes the typed MRZ data; when valid, connects and waits for the document. */
  async submitMrz(entry: MrzEntry): Promise<boolean> {
    const validation = validateMrzEntry(entry, this.#now());
    if (!validation.key) {
      this.#set({ step: "mrz", error: "Check the highlighted fields." });
      return false;
    }
    this.#forgetDocument();
    this.#key = validation.key;
    try {
      await this.#connected();
      this.#set({
        step: "nfc",
        phase: "waiting",
        file: null,
        fraction: 0,
        hint: null,
      });
      return true;
    } catch (error) {
      this.#fail(error);
      return false;
    }
  }

  /** Runs one NFC session, then the uploads and the selfie start. */
  async readChip(): Promise<void> {
    if (!this.#key) return this.#set({ step: "mrz", error: null });
    let session;
    try {
      await this.#connected();
      this.#set({
        step: "nfc",
        phase: "waiting",
        file: null,
        fraction: 0,
        hint: null,
      });
      session = await this.#deps.nfc.begin(NFC_PROMPT);
    } catch (error) {
      return this.#fail(error);
    }
    let ok = false;
    try {
      const challenge = this.#aaSignature ? null : fromBase64(String(this.#hello!.aa_challenge));
      const signature = await runChipSession(
        session,
        this.#key,
        this.#files,
        this.#absent,
        {
          aaChallenge: challenge,
          chipAuthenticationStart: (dg14) => this.#chipAuthenticationStart(dg14),
          relay: (relay) =>
            this.#withServer(async (c) => {
              c.send({ type: "chip_authentication_relay", relay });
              await c.expect("chip_authentication_relay_received");
              this.#caDone = true;
            }),
        },
        (p) =>
          this.#set({
            step: "nfc",
            phase: p.phase,
            file: p.file ?? null,
            fraction: p.fraction,
            hint: p.hint,
          }),
        this.#deps.readerOptions,
      );
      if (signature) this.#aaSignature = signature;
      ok = true;
    } catch (error) {
      this.#fail(error);
    } finally {
      await session.close(ok ? "Done. You can remove the document." : undefined)
        .catch(() => {});
    }
    if (ok) await this.#afterChip();
  }

  async #chipAuthenticationStart(
    dg14: Uint8Array | undefined,
  ): Promise<ChipAuthenticationStart | null> {
    if (!dg14 || this.#caDone) return null;
    let start = this.#hello?.chip_authentication as
      | ChipAuthenticationStart
      | null
      | undefined;
    if (!this.#received.has("dg14") || !start) {
      const ack = await this.#withServer((c) => c.upload("dg14", dg14));
      this.#received.add("dg14");
      start = ack.chip_authentication as ChipAuthenticationStart | null;
    }
    return start ?? null;
  }

  async #afterChip(): Promise<void> {
    try {
      const pending = UPLOAD_ORDER.filter((n) => this.#files.has(n) && !this.#received.has(n));
      let done = 0;
      this.#set({ step: "uploading", done, total: pending.length });
      for (const name of pending) {
        await this.#withServer((c) => c.upload(name, this.#files.get(name)!));
        this.#received.add(name);
        this.#set({ step: "uploading", done: ++done, total: pending.length });
      }
      if (this.#aaSignature && !this.#aaAcknowledged) {
        const signature = toBase64(this.#aaSignature);
        await this.#withServer(async (c) => {
          c.send({ type: "active_authentication", signature });
          await c.expect("active_authentication_received");
        });
        this.#aaAcknowledged = true;
      }
      await this.#startSelfie();
    } catch (error) {
      this.#fail(error);
    }
  }

  async #startSelfie(): Promise<void> {
    if (!this.#poses) {
      const challenge = await this.#withServer(async (c) => {
        c.send({ type: "selfie_start" });
        return await c.expect("pose_challenge");
      });
      this.#poses = (challenge.poses as string[]).slice();
    }
    this.#showSelfie();
  }

  #showSelfie(): void {
    const poses = this.#poses!;
    const index = poses.findIndex((_, i) => !this.#received.has(`selfie_frame:${i}`));
    if (index < 0) return this.#set({ step: "confirm", ...this.#details! });
    this.#set({
      step: "selfie",
      poses,
      index,
      instruction: POSE_INSTRUCTIONS[poses[index]] ??
        "Follow the instruction on the screen.",
    });
  }

  /** Uploads the JPEG for the current pose (the caller drops it afterwards). */
  async addSelfieFrame(jpeg: Uint8Array): Promise<void> {
    if (this.state.step !== "selfie") return;
    const index = this.state.index;
    try {
      await this.#withServer((c) => c.upload("selfie_frame", jpeg, index));
      this.#received.add(`selfie_frame:${index}`);
      this.#showSelfie();
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The last screen: the user confirms (or declines) sharing; shows the result. */
  async confirm(consentConfirmed: boolean): Promise<void> {
    this.#set({ step: "submitting" });
    try {
      const result = await this.#withServer(async (c) => {
        for (let asked = 1;; asked++) {
          c.send({ type: "result", consent_confirmed: consentConfirmed });
          try {
            return await c.expect("result", 120_000);
          } catch (error) {
            // Another connection of this attempt is computing the result (§3: not fatal, the
            // connection keeps serving): ask again in a moment rather than giving up on it.
            const computing = error instanceof ServerError && !error.fatal &&
              error.code === "RESULT_IN_PROGRESS";
            if (!computing || asked >= RESULT_ASKS) throw error;
            await new Promise((resolve) => setTimeout(resolve, RESULT_ASK_EVERY_MS));
          }
        }
      });
      this.#showResult(result);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** After an error: back to where the user can try again (the screen then acts). */
  async retry(): Promise<void> {
    if (this.state.step !== "error") return;
    const retry = this.state.retry;
    if (retry === "link" && this.#lastLink) {
      return await this.openLink(this.#lastLink);
    }
    if (retry === "mrz") return this.#set({ step: "mrz", error: null });
    if (retry === "nfc") {
      return this.#set({
        step: "nfc",
        phase: "waiting",
        file: null,
        fraction: 0,
        hint: null,
      });
    }
    if (retry !== "connect") return;
    try {
      this.#set({ step: "connecting" });
      await this.#connected();
      if (this.#poses) return this.#showSelfie();
      if (!this.#key) return this.#set({ step: "mrz", error: null });
      if (this.#files.size > 0 && (this.#caDone || !this.#files.has("dg14"))) {
        return await this.#afterChip();
      }
      this.#set({
        step: "nfc",
        phase: "waiting",
        file: null,
        fraction: 0,
        hint: null,
      });
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Ends the flow on the user's request; drops everything. */
  cancel(): void {
    this.#endAttempt();
    this.#set({ step: "start" });
  }

  #showResult(result: ServerMessage): void {
    const status = String(result.status);
    const failureCode = (result.failure_code as string | null) ?? null;
    const link = this.#link;
    this.#endAttempt();
    this.#set({
      step: "result",
      status,
      failureCode,
      message: outcomeMessage(status, failureCode),
      attemptsRemaining: Number(result.attempts_remaining ?? 0),
      returnUrl: link ? `${link.baseUrl}/verify/${link.sessionId}` : null,
    });
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  /** An open connection that said hello (resuming when it is not the first). */
  async #connected(): Promise<Connection> {
    if (this.#connection?.isOpen) return this.#connection;
    const link = this.#link;
    if (!link) throw new LinkError("link_invalid");
    this.#set({ step: "connecting" });
    const connection = await Connection.open(
      link.mobileUrl,
      this.#deps.sockets,
    );
    try {
      const hello = await connection.hello({
        sessionId: link.sessionId,
        token: link.token,
        deviceId: await this.#deps.deviceId(),
        appVersion: this.#deps.config.appVersion,
      });
      const before = this.#hello;
      const heldBefore = this.#received;
      this.#hello = hello;
      // What the server holds is authoritative (another instance may hold nothing, §4).
      this.#received = new Set(hello.received as string[]);
      if (!hello.resumed || !this.#received.has("dg14")) this.#caDone = false;
      // A resume that lost what this attempt had sent (another instance, §4): its AA challenge
      // and Chip Authentication are new, so the chip must be read again before going on.
      const lost = before !== null && (
        [...heldBefore].some((name) => !this.#received.has(name)) ||
        (this.#aaSignature !== null && hello.aa_challenge !== before.aa_challenge)
      );
      if (lost) {
        this.#aaSignature = null;
        this.#aaAcknowledged = false;
        this.#caDone = false;
        this.#chipAgain = true;
      }
      const challenge = hello.pose_challenge as { poses?: string[] } | null;
      this.#poses = challenge?.poses ? challenge.poses.slice() : null;
    } catch (error) {
      connection.close();
      throw error;
    }
    connection.onResultWhileIdle = (result) => {
      if (this.#connection === connection) this.#showResult(result);
    };
    this.#connection = connection;
    return connection;
  }

  /** Runs `action` on the connection; after a drop, reconnects (same hello) and runs it again. */
  async #withServer<T>(action: (c: Connection) => Promise<T>): Promise<T> {
    const attempts = (this.#deps.reconnects ?? 3) + 1;
    for (let attempt = 1;; attempt++) {
      const connection = await this.#connected();
      if (this.#chipAgain) {
        this.#chipAgain = false;
        throw new ReadChipAgain();
      }
      try {
        return await action(connection);
      } catch (error) {
        if (
          !(error instanceof ServerError) || !error.resumable ||
          attempt >= attempts
        ) throw error;
        connection.close();
        this.#connection = null;
      }
    }
  }

  #forgetDocument(): void {
    this.#key = null;
    this.#files.clear();
    this.#absent.clear();
    this.#aaSignature = null;
    this.#aaAcknowledged = false;
  }

  /** Drops every personal byte and the token, and closes the connection. */
  #endAttempt(): void {
    this.#forgetDocument();
    this.#connection?.close();
    this.#connection = null;
    this.#hello = null;
    this.#link = null;
    this.#poses = null;
    this.#received.clear();
  }
}
