/**
 * The flow's types and pure helpers: the states the screens render, the injected dependencies,
 * the public details request, and the mapping of every failure to the error state the user sees
 * (docs/mobile-protocol.md §3; the reader core's codes in docs/mobile-protocol.md §7).
 */
import {
  ChipError,
  type ChipErrorCode,
  chipErrorMessage,
  type ChipFileName,
  type ChipReaderOptions,
} from "../../../phone/chip/mod.ts";
import type { AppConfig } from "./config.ts";
import { type HandoffLink, LinkError, parseHandoffLink, type ShortLink } from "./links.ts";
import { ServerError, type SocketFactory } from "./protocol.ts";
import { serverErrorMessage } from "./messages.ts";
import { type NfcAdapter, NfcUnavailable } from "./chip_step.ts";

/** A share field as the details endpoint lists it. */
export interface ShareField {
  key: string;
  label: string;
  reason: string;
  required: boolean;
}

/** What the screens render. */
export type FlowState =
  | { step: "start" }
  | { step: "loading" }
  | {
    step: "details";
    organizationName: string;
    mode: string;
    shareFields: ShareField[];
  }
  | { step: "mrz"; error: string | null }
  | { step: "connecting" }
  | {
    step: "nfc";
    phase: "waiting" | "reading" | "authenticating";
    file: string | null;
    fraction: number;
    hint: string | null;
  }
  | { step: "uploading"; done: number; total: number }
  | { step: "selfie"; poses: string[]; index: number; instruction: string }
  | { step: "confirm"; organizationName: string; shareFields: ShareField[] }
  | { step: "submitting" }
  | {
    step: "result";
    status: string;
    failureCode: string | null;
    message: string;
    attemptsRemaining: number;
    returnUrl: string | null;
  }
  | {
    step: "error";
    code: string;
    message: string;
    /** What "Try again" does: reopen the link, the MRZ entry, a new NFC session, reconnect. */
    retry: "link" | "nfc" | "mrz" | "connect" | null;
  };

/** What the flow needs from the device and the network. */
export interface FlowDeps {
  config: AppConfig;
  fetch?: typeof fetch;
  sockets?: SocketFactory;
  /** The installation's device id (kept in secure storage by the app). */
  deviceId(): Promise<string>;
  nfc: NfcAdapter;
  now?: () => Date;
  /** Automatic reconnections after a dropped socket before asking the user (default 3). */
  reconnects?: number;
  readerOptions?: Partial<ChipReaderOptions>;
}

/** The NFC sheet's prompt. */
export const NFC_PROMPT = "Hold the top of your phone against the passport's photo page.";

/** Documents are uploaded in this order after the chip session (DG14 went during it). */
export const UPLOAD_ORDER: ChipFileName[] = [
  "sod",
  "dg1",
  "dg2",
  "dg11",
  "dg12",
  "dg15",
];

/**
 * The full handoff link of a short link's code (`POST /v1/verify/handoff/resolve`). The answer's
 * link is checked like any scanned link, and must name the same server as the short link.
 */
export async function resolveShortLink(
  short: ShortLink,
  config: Pick<AppConfig, "allowedServers">,
  fetchFn: typeof fetch,
): Promise<HandoffLink> {
  let response: Response;
  try {
    response = await fetchFn(`${short.baseUrl}/v1/verify/handoff/resolve`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: short.code }),
    });
  } catch {
    throw new ServerError("CONNECTION_FAILED", "", true);
  }
  const envelope = await response.json().catch(() => null) as
    | { data: { deep_link?: unknown } | null; error: { code: string } | null }
    | null;
  if (!response.ok || typeof envelope?.data?.deep_link !== "string") {
    throw new ServerError(
      envelope?.error?.code ?? "CONNECTION_FAILED",
      "",
      true,
    );
  }
  const link = parseHandoffLink(envelope.data.deep_link, config);
  if (link.baseUrl !== short.baseUrl) throw new LinkError("server_mismatch");
  return link;
}

/** The session's public details (who asks, what is shared). */
export async function fetchDetails(
  link: HandoffLink,
  fetchFn: typeof fetch,
): Promise<
  { organizationName: string; mode: string; shareFields: ShareField[] }
> {
  let response: Response;
  try {
    response = await fetchFn(
      `${link.baseUrl}/v1/verify/session/${link.sessionId}/details`,
    );
  } catch {
    throw new ServerError("CONNECTION_FAILED", "", true);
  }
  const envelope = await response.json().catch(() => null) as
    | { data: Record<string, unknown> | null; error: { code: string } | null }
    | null;
  if (!response.ok || !envelope?.data) {
    throw new ServerError(
      envelope?.error?.code ?? "CONNECTION_FAILED",
      "",
      true,
    );
  }
  const data = envelope.data;
  if (data.is_terminal === true) {
    throw new ServerError("SESSION_EXPIRED", "", true);
  }
  const fields = Array.isArray(data.share_fields) ? data.share_fields as ShareField[] : [];
  return {
    organizationName: String(data.organization_name ?? ""),
    mode: String(data.mode ?? ""),
    shareFields: fields.map((f) => ({
      key: String(f.key),
      label: String(f.label),
      reason: String(f.reason ?? ""),
      required: f.required === true,
    })),
  };
}

/**
 * The server resumed the attempt without what it had received (another instance, §4): the
 * uploads start again and the chip must answer the new Active and Chip Authentication.
 */
export class ReadChipAgain extends Error {
  readonly code = "read_chip_again";
  constructor() {
    super(
      "The connection moved to another server, which needs your document again. Tap Try " +
        "again and hold your document against the phone.",
    );
    this.name = "ReadChipAgain";
  }
}

/** The error state for a failure, and what the flow must drop with it. */
export function errorState(error: unknown): {
  state: Extract<FlowState, { step: "error" }>;
  forgetDocument: boolean;
  endAttempt: boolean;
} {
  const state = (
    code: string,
    message: string,
    retry: Extract<FlowState, { step: "error" }>["retry"],
  ) => ({ step: "error" as const, code, message, retry });
  if (error instanceof LinkError) {
    return {
      state: state(error.code, error.message, null),
      forgetDocument: false,
      endAttempt: true,
    };
  }
  if (error instanceof NfcUnavailable) {
    const retry = error.code === "nfc_not_supported" ? null : "nfc";
    return {
      state: state(error.code, error.message, retry),
      forgetDocument: false,
      endAttempt: false,
    };
  }
  if (error instanceof ChipError) {
    const wrongKey = error.code === "mrz_key_rejected" ||
      error.code === "invalid_access_key";
    return {
      state: state(
        error.code,
        chipMessage(error.code),
        wrongKey ? "mrz" : "nfc",
      ),
      forgetDocument: wrongKey,
      endAttempt: false,
    };
  }
  if (error instanceof ReadChipAgain) {
    return {
      state: state(error.code, error.message, "nfc"),
      forgetDocument: false,
      endAttempt: false,
    };
  }
  if (error instanceof ServerError) {
    const retry = error.resumable ? "connect" : null;
    return {
      state: state(error.code, serverErrorMessage(error.code), retry),
      forgetDocument: false,
      endAttempt: retry === null,
    };
  }
  return {
    state: state(
      "app_error",
      "Something went wrong in the app. Try again.",
      "connect",
    ),
    forgetDocument: false,
    endAttempt: false,
  };
}

function chipMessage(code: ChipErrorCode): string {
  if (code === "tag_lost" || code === "timeout") {
    return `${
      chipErrorMessage(code)
    } Your progress is kept: tap Try again and hold the document against the phone without moving.`;
  }
  return chipErrorMessage(code);
}
