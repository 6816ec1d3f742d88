/**
 * The virtual smart-card stack of the PC/SC tests: a private `pcscd` (its own socket and reader
 * configuration, so the system's is never touched) with the `vpcd` virtual reader on a free port,
 * and Debian's `vicc` emulating an ePassport (BAC) loaded with a folder of chip files through
 * tests/support/vicc/launch_vicc.py. Every wait is bounded and polls for the event; `stop()` ends both
 * processes and removes the temporary files.
 *
 * Install: `apt-get install pcscd vsmartcard-vpcd vsmartcard-vpicc python3-pycryptodome`
 * (`.ci/run` does). Without them {@link virtualChipUnavailable} says what is missing.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

const PCSCD = "/usr/sbin/pcscd";
const VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so";
const VICC_PACKAGE = "/usr/lib/python3/site-packages/virtualsmartcard/virtualsmartcard";
const PYTHON = "/usr/bin/python3";
const HERE = new URL(".", import.meta.url).pathname;

/** The Debian packages the stack needs. */
export const VIRTUAL_CHIP_PACKAGES =
  "pcscd vsmartcard-vpcd vsmartcard-vpicc python3-pycryptodome libpcsclite1";

/** Why the stack cannot run here (a skip message), or undefined when it can. */
export function virtualChipUnavailable(): string | undefined {
  const missing = [
    [PCSCD, "pcscd"],
    [VPCD_DRIVER, "vsmartcard-vpcd"],
    [VICC_PACKAGE, "vsmartcard-vpicc"],
    [PYTHON, "python3"],
    ["/usr/lib/python3/dist-packages/Cryptodome", "python3-pycryptodome"],
  ].filter(([path]) => !existsSync(path)).map(([, name]) => name);
  if (missing.length > 0) {
    return `the virtual smart-card stack is not installed (missing ${missing.join(", ")}): ` +
      `apt-get install ${VIRTUAL_CHIP_PACKAGES}`;
  }
  const running = systemPcscdPid();
  if (running !== undefined) {
    // Our private pcscd removes /run/pcscd's files when it exits: that would break this one.
    return `a system pcscd is running (pid ${running}); stop it (systemctl stop pcscd.socket ` +
      "pcscd) to run the virtual-chip test, which starts a private pcscd of its own";
  }
  return undefined;
}

function systemPcscdPid(): number | undefined {
  try {
    const pid = Number(Deno.readTextFileSync("/run/pcscd/pcscd.pid").trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const commandLine = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    // Another run of this test's private pcscd writes the same pid file; it is not in the way.
    return commandLine.includes("kayle-pcsc-") ? undefined : pid;
  } catch {
    return undefined;
  }
}

/** A running stack. */
export interface VirtualChip {
  /** The private pcscd socket: give it to PC/SC clients as `PCSCLITE_CSOCK_NAME`. */
  socketPath: string;
  /** Part of the virtual reader's name, for `--reader pcsc:<name>`. */
  readerName: string;
  /** The environment a PC/SC client process needs. */
  env: Record<string, string>;
  /** What pcscd and vicc printed so far (for a failing test's message). */
  logs(): string;
  /** Takes the card off the reader (ends vicc). */
  removeCard(): Promise<void>;
  /** Puts the card back (a new vicc with the same files); resolves once vicc is connected. */
  insertCard(): Promise<void>;
  /** Ends vicc and pcscd and removes the temporary folder. */
  stop(): Promise<void>;
}

function freePortPair(): number {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    try {
      Deno.listen({ port, hostname: "0.0.0.0" }).close();
      Deno.listen({ port: port + 1, hostname: "0.0.0.0" }).close();
      return port;
    } catch {
      // taken: try another
    }
  }
  throw new Error("no free port pair for vpcd");
}

async function stopProcess(child: Deno.ChildProcess, graceMs = 5_000): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    return; // already exited
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const exited = await Promise.race([
    child.status.then(() => true),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), graceMs)),
  ]);
  clearTimeout(timer);
  if (!exited) {
    try {
      child.kill("SIGKILL");
    } catch { /* exited meanwhile */ }
    await child.status;
  }
}

/** Reads a child's stream to the end into a string (for error messages). */
function collect(stream: ReadableStream<Uint8Array>): { text: () => string; done: Promise<void> } {
  let text = "";
  const decoder = new TextDecoder();
  const done = stream.pipeTo(
    new WritableStream({ write: (chunk) => void (text += decoder.decode(chunk)) }),
  ).catch(() => {});
  return { text: () => text, done };
}

interface ViccProcess {
  child: Deno.ChildProcess;
  out: ReturnType<typeof collect>;
  err: ReturnType<typeof collect>;
  exited: () => boolean;
  drained: Promise<void>;
}

function spawnVicc(args: string[]): ViccProcess {
  const child = new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped", stdin: "null" })
    .spawn();
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  let exited = false;
  child.status.then(() => exited = true);
  return {
    child,
    out,
    err,
    exited: () => exited,
    drained: Promise.all([out.done, err.done]).then(),
  };
}

async function waitForVicc(vicc: ViccProcess, pcscdLog: () => string, timeoutMs: number) {
  await waitFor("vicc to connect to vpcd", () => {
    if (vicc.exited()) throw new Error(`vicc exited: ${vicc.err.text()}\npcscd: ${pcscdLog()}`);
    return vicc.out.text().includes("vicc ready");
  }, timeoutMs);
}

/** Waits until `ready()` holds, polling every 100 ms, for at most `timeoutMs`. */
export async function waitFor(
  what: string,
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts pcscd (private socket, vpcd on a free port) and vicc with the chip files of `folder`
 * (EF_COM.bin, EF_SOD.bin, DGn.bin). Resolves once vicc is connected to vpcd; the card is then
 * present for PC/SC clients within pcscd's polling interval (clients wait for it).
 */
export async function startVirtualChip(folder: string, timeoutMs = 20_000): Promise<VirtualChip> {
  const dir = await Deno.makeTempDir({ prefix: "kayle-pcsc-" });
  const port = freePortPair();
  const readerName = `Kayle Virtual PCD ${port}`;
  await Deno.mkdir(join(dir, "reader.conf.d"));
  await Deno.writeTextFile(
    join(dir, "reader.conf.d", "vpcd"),
    `FRIENDLYNAME "${readerName}"\nDEVICENAME /dev/null:0x${port.toString(16)}\n` +
      `LIBPATH ${VPCD_DRIVER}\nCHANNELID 0x${port.toString(16)}\n`,
  );
  const socketPath = join(dir, "pcscd.comm");
  const pcscd = new Deno.Command(PYTHON, {
    args: [
      join(HERE, "pcscd_private.py"),
      socketPath,
      PCSCD,
      "-f",
      "-c",
      join(dir, "reader.conf.d"),
    ],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const pcscdOut = collect(pcscd.stdout);
  const pcscdErr = collect(pcscd.stderr);
  const viccArgs = [
    join(HERE, "launch_vicc.py"),
    "--files",
    folder,
    "--port",
    String(port),
    "--wait",
    String(timeoutMs / 1000),
  ];
  let vicc = spawnVicc(viccArgs);

  const removeCard = async () => {
    await stopProcess(vicc.child);
    await vicc.drained;
  };
  const insertCard = async () => {
    vicc = spawnVicc(viccArgs);
    await waitForVicc(vicc, () => pcscdOut.text() + pcscdErr.text(), timeoutMs);
  };
  const stop = async () => {
    await removeCard();
    await stopProcess(pcscd);
    await Promise.all([pcscdOut.done, pcscdErr.done]);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await waitForVicc(vicc, () => pcscdOut.text() + pcscdErr.text(), timeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  const logs = () =>
    `pcscd: ${pcscdOut.text()}${pcscdErr.text()}\nvicc: ${vicc.out.text()}${vicc.err.text()}`;
  const env = { PCSCLITE_CSOCK_NAME: socketPath };
  return { socketPath, readerName, env, logs, removeCard, insertCard, stop };
}
