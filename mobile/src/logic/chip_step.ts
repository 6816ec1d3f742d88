/**
 * The NFC part of the flow: one NFC session reads the files still missing (kept in memory only),
 * signs the server's Active Authentication challenge and — because Chip Authentication must be
 * the last thing done with the chip — uploads DG14 and relays Chip Authentication while the
 * document is still on the phone. Progress and "hold still" hints go to the UI; nothing personal
 * is logged.
 */
import {
  type AccessKey,
  type ChipAuthenticationRelayObject,
  type ChipAuthenticationStart,
  type ChipFileName,
  ChipReader,
  type ChipReaderOptions,
  type ChipTransport,
} from "../../../phone/chip/mod.ts";

/** One NFC session with the document (IsoDep on Android, NFCISO7816Tag on iOS, the emulator in tests). */
export interface NfcSession extends ChipTransport {
  /** What this session's NFC stack allows (e.g. no extended-length APDUs); merged last. */
  readerOptions?: Partial<ChipReaderOptions>;
  /** Ends the NFC session (the UI sheet on iOS); called after success and after failure. */
  close(message?: string): Promise<void>;
}

/** Starts NFC sessions. `prompt` is shown by the system sheet where there is one (iOS). */
export interface NfcAdapter {
  begin(prompt: string): Promise<NfcSession>;
}

/** Why no NFC session could start. */
export type NfcUnavailableCode =
  | "nfc_not_supported"
  | "nfc_disabled"
  | "nfc_cancelled";

const NFC_MESSAGES: Record<NfcUnavailableCode, string> = {
  nfc_not_supported:
    "This phone cannot read passport chips (it has no NFC). Use another phone to continue.",
  nfc_disabled: "NFC is turned off. Turn on NFC in the phone's settings, then try again.",
  nfc_cancelled: "Reading was cancelled. Try again when the document is ready.",
};

/** No NFC session: the phone has no NFC, it is off, or the user cancelled the system sheet. */
export class NfcUnavailable extends Error {
  constructor(readonly code: NfcUnavailableCode) {
    super(NFC_MESSAGES[code]);
    this.name = "NfcUnavailable";
  }
}

/** The files the app reads, in order (EF.COM first: it lists DG11/DG12). */
export const READ_ORDER: ChipFileName[] = [
  "com",
  "sod",
  "dg1",
  "dg2",
  "dg11",
  "dg12",
  "dg14",
  "dg15",
];

/** What the chip step reports while it runs. */
export interface ChipProgress {
  phase: "reading" | "authenticating";
  file?: ChipFileName;
  /** 0…1 of the file being read. */
  fraction: number;
  /** "hold still" after the chip was lost for a moment and found again. */
  hint: string | null;
}

/** What a chip session has to do besides reading. */
export interface ChipJobs {
  /** The AA challenge (8 bytes) when DG15 is present and no signature was made yet. */
  aaChallenge: Uint8Array | null;
  /** Uploads DG14 (when the server lacks it) and returns the CA start object, or null for none. */
  chipAuthenticationStart: (
    dg14: Uint8Array | undefined,
  ) => Promise<ChipAuthenticationStart | null>;
  /** Sends the relay and waits for its acknowledgement. */
  relay: (relay: ChipAuthenticationRelayObject) => Promise<void>;
}

/** The hint shown when the chip was lost and found again during a read. */
export const HOLD_STILL =
  "Hold still: keep the document flat against the phone until the read is complete.";

/** Counts losses of the tag so the UI can say "hold still". */
class WatchedTransport implements ChipTransport {
  losses = 0;
  constructor(
    private readonly inner: ChipTransport,
    private readonly onLoss: () => void,
  ) {}
  async transceive(command: Uint8Array): Promise<Uint8Array> {
    try {
      return await this.inner.transceive(command);
    } catch (error) {
      this.losses++;
      this.onLoss();
      throw error;
    }
  }
  get reconnect(): (() => Promise<void>) | undefined {
    const inner = this.inner;
    return inner.reconnect ? () => inner.reconnect!() : undefined;
  }
}

/**
 * Runs one chip session: access control, the missing files into `files`, AA, then DG14 and
 * CA. `files` and `absent` persist across sessions so a retry after a lost tag continues where
 * the last one stopped. Resolves with the AA signature (or null).
 */
export async function runChipSession(
  session: NfcSession,
  key: AccessKey,
  files: Map<ChipFileName, Uint8Array>,
  absent: Set<ChipFileName>,
  jobs: ChipJobs,
  report: (progress: ChipProgress) => void,
  readerOptions: Partial<ChipReaderOptions> = {},
): Promise<Uint8Array | null> {
  let hint: string | null = null;
  let current: ChipFileName | undefined;
  const transport = new WatchedTransport(session, () => {
    hint = HOLD_STILL;
    report({ phase: "reading", file: current, fraction: 0, hint });
  });
  const reader = new ChipReader(transport, {
    ...readerOptions,
    ...session.readerOptions,
    onProgress: ({ file, bytesRead, totalBytes }) =>
      report({
        phase: "reading",
        file,
        fraction: totalBytes ? bytesRead / totalBytes : 0,
        hint,
      }),
  });
  await reader.open(key);
  for (const name of READ_ORDER) {
    if (files.has(name) || absent.has(name)) continue;
    current = name;
    report({ phase: "reading", file: name, fraction: 0, hint });
    const bytes = await reader.readFile(name);
    if (bytes) files.set(name, bytes);
    else absent.add(name);
  }
  report({ phase: "authenticating", fraction: 1, hint });
  let signature: Uint8Array | null = null;
  if (files.has("dg15") && jobs.aaChallenge) {
    signature = await reader.activeAuthentication(jobs.aaChallenge);
  }
  const start = await jobs.chipAuthenticationStart(files.get("dg14"));
  if (start) await jobs.relay(await reader.chipAuthentication(start));
  return signature;
}
