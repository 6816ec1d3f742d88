/**
 * `deno task chip`: reads an ePassport or ID card on a USB (PC/SC) NFC reader through the reader
 * core (phone/chip/) and the PC/SC transport (phone/pcsc/).
 *
 *   deno task chip read --reader pcsc[:<name>] --document-number <no> --date-of-birth <YYMMDD>
 *     --date-of-expiry <YYMMDD> [--can <digits>] --out <folder> [--wait <seconds>]
 *   deno task chip readers      (each reader's name and whether a document is on it)
 *
 * `read` writes every file the chip gives into the folder with the names `deno task document
 * verify` reads (EF_COM.bin, EF_SOD.bin, DG1.bin, …; EF_CardAccess.bin when present), the folder
 * 0700 and the files 0600: they are personal data. Progress (file, bytes of total) goes to
 * stderr; nothing personal is printed. With `--can`, PACE uses the card access number and the MRZ
 * options are not needed. `PCSCLITE_CSOCK_NAME` selects a pcscd socket other than the system's;
 * `KAYLE_PCSC_LIBRARY` a PC/SC library other than the platform's.
 * Exit code: 0 read, 1 failure (`<code>: <what to do>` on stderr), 2 usage error.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import {
  type AccessKey,
  ChipError,
  chipErrorMessage,
  type ChipFileName,
  type ChipFiles,
  readPassport,
  type ReadProgress,
} from "../phone/chip/mod.ts";
import { openPcscReader, PcscContext, PcscError } from "../phone/pcsc/mod.ts";
import { STATE_PRESENT } from "../phone/pcsc/ffi.ts";

const USAGE = `usage:
  deno task chip read --reader pcsc[:<name>] --document-number <no> --date-of-birth <YYMMDD>
    --date-of-expiry <YYMMDD> [--can <digits>] --out <folder> [--wait <seconds>]
  deno task chip readers`;

/** A usage problem: printed with the usage text, exit code 2 (a TypeError, as for parseArgs). */
export class UsageError extends TypeError {}

/** The file name `deno task document verify` reads for each chip file. */
export const FOLDER_FILE_NAMES: Record<ChipFileName, string> = {
  com: "EF_COM.bin",
  sod: "EF_SOD.bin",
  dg1: "DG1.bin",
  dg2: "DG2.bin",
  dg11: "DG11.bin",
  dg12: "DG12.bin",
  dg14: "DG14.bin",
  dg15: "DG15.bin",
  cardAccess: "EF_CardAccess.bin",
};

const YYMMDD = /^\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;

/** The access key from the command line (CAN first), or a usage error naming the option. */
export function accessKeyFrom(values: Record<string, unknown>): AccessKey {
  const can = values.can as string | undefined;
  if (can !== undefined) {
    if (!/^\d{6}$/.test(can)) throw new UsageError("--can: the six digits printed on the document");
    return { kind: "can", can };
  }
  const documentNumber = (values["document-number"] as string | undefined)?.toUpperCase();
  const dateOfBirth = values["date-of-birth"] as string | undefined;
  const dateOfExpiry = values["date-of-expiry"] as string | undefined;
  if (!documentNumber || !dateOfBirth || !dateOfExpiry) {
    throw new UsageError(
      "give --document-number, --date-of-birth and --date-of-expiry (or --can <digits>)",
    );
  }
  if (!/^[A-Z0-9<]{1,22}$/.test(documentNumber)) {
    throw new UsageError("--document-number: letters and digits as printed");
  }
  if (!YYMMDD.test(dateOfBirth)) throw new UsageError("--date-of-birth: YYMMDD");
  if (!YYMMDD.test(dateOfExpiry)) throw new UsageError("--date-of-expiry: YYMMDD");
  return { kind: "mrz", documentNumber, dateOfBirth, dateOfExpiry };
}

/** Writes the files into `folder` (created 0700; files 0600); returns the names written. */
export async function writeChipFolder(folder: string, files: ChipFiles): Promise<string[]> {
  await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const [name, bytes] of Object.entries(files) as Array<[ChipFileName, Uint8Array]>) {
    if (!bytes) continue;
    const fileName = FOLDER_FILE_NAMES[name];
    await Deno.writeFile(join(folder, fileName), bytes, { mode: 0o600 });
    written.push(fileName);
  }
  return written;
}

/** A progress printer for stderr: a rewritten line on a terminal, one line per file otherwise. */
export function progressPrinter(write: (text: string) => void, terminal: boolean) {
  let current = "";
  return (progress: ReadProgress) => {
    const line = `reading ${progress.file}: ${progress.bytesRead} of ${progress.totalBytes} bytes`;
    if (terminal) {
      write(
        `\r${line.padEnd(current.length)}${progress.bytesRead >= progress.totalBytes ? "\n" : ""}`,
      );
      current = line;
    } else if (progress.bytesRead >= progress.totalBytes) {
      write(`${line}\n`);
    }
  };
}

async function readCommand(args: string[], err: (text: string) => void): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      reader: { type: "string" },
      "document-number": { type: "string" },
      "date-of-birth": { type: "string" },
      "date-of-expiry": { type: "string" },
      can: { type: "string" },
      out: { type: "string" },
      wait: { type: "string", default: "15" },
    },
    strict: true,
  });
  if (!values.reader) throw new UsageError("--reader pcsc or pcsc:<name> is required");
  if (!values.out) throw new UsageError("--out <folder> is required");
  const wait = Number(values.wait);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError("--wait: seconds");
  const key = accessKeyFrom(values);
  const transport = await openPcscReader(values.reader, {
    libraryPath: Deno.env.get("KAYLE_PCSC_LIBRARY") || undefined,
    waitForCardMs: wait * 1000,
    onWaiting: () => err("place the document on the reader…\n"),
    onCardAway: () => err("\nthe document left the reader: put it back to continue…\n"),
  });
  try {
    err(`reader: ${transport.reader} (${transport.protocol})\n`);
    const started = performance.now();
    const files = await readPassport(transport, key, {
      onProgress: progressPrinter(err, Deno.stderr.isTerminal()),
    });
    const written = await writeChipFolder(values.out, files);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return `wrote ${written.join(", ")} to ${values.out} (${transport.apdus} APDUs, ${seconds} s)`;
  } finally {
    transport.close();
  }
}

function readersCommand(): string {
  const context = PcscContext.establish(Deno.env.get("KAYLE_PCSC_LIBRARY") || undefined);
  try {
    return context.listReaders().map((reader) => {
      const state = context.readerState(reader);
      const card = state & STATE_PRESENT ? "document present" : "no document";
      return `${reader}\t${card}`;
    }).join("\n");
  } finally {
    context.close();
  }
}

/** Runs the CLI; returns the exit code. */
export async function runChipCli(
  argv: string[],
  out: (text: string) => void = (text) => console.log(text),
  err: (text: string) => void = (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === "read") out(await readCommand(rest, err));
    else if (command === "readers") out(readersCommand());
    else throw new UsageError(command ? `unknown command ${command}` : "no command");
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error)) {
      err(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ChipError) {
      // The detail is technical and carries no personal data (phone/chip/errors.ts).
      const detail = error.detail ? ` (${error.detail})` : "";
      err(`${error.code}: ${chipErrorMessage(error.code)}${detail}\n`);
      return 1;
    }
    if (error instanceof PcscError) {
      err(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await runChipCli(Deno.args));
