/**
 * The PC/SC transport and `deno task chip read` against a chip nobody here wrote: Debian's vicc
 * (vsmartcard) emulating a BAC ePassport behind its vpcd reader, in a private pcscd
 * (tests/support/vicc/virtual_chip.ts). The passport's files come from the document factory; the command
 * reads them over BAC and 3DES secure messaging, and `deno task document verify` checks the
 * folder against the passport's CSCA. Skips with the apt-get line when the stack is absent.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createSyntheticPassport, type SyntheticPassport } from "../verify/mod.ts";
import { defaultPortrait } from "../verify/factory/portrait.ts";
import { startVirtualChip, virtualChipUnavailable } from "./support/vicc/virtual_chip.ts";

const unavailable = virtualChipUnavailable();
if (unavailable) console.warn(`pcsc_vicc_test skipped: ${unavailable}`);
const REPO = new URL("..", import.meta.url).pathname;

/** A JPEG of about `size` bytes: the default portrait with a comment segment of filler. */
function portraitOf(size: number): Uint8Array {
  const base = defaultPortrait();
  const filler = size - base.length - 4;
  const segment = new Uint8Array(4 + filler);
  segment.set([0xff, 0xfe, (filler + 2) >> 8, (filler + 2) & 0xff]);
  for (let i = 4; i < segment.length; i++) segment[i] = (i * 31) & 0xff;
  const jpeg = new Uint8Array(base.length + segment.length);
  jpeg.set(base.subarray(0, 2));
  jpeg.set(segment, 2);
  jpeg.set(base.subarray(2), 2 + segment.length);
  return jpeg;
}

/** EF.COM (ICAO 9303-10 §4.6.1): LDS 1.7, Unicode 4.0.0, the data groups present. */
function encodeCom(dataGroups: number[]): Uint8Array {
  const tags: Record<number, number> = { 1: 0x61, 2: 0x75, 11: 0x6b, 12: 0x6c, 14: 0x6e, 15: 0x6f };
  const list = dataGroups.map((dg) => tags[dg]);
  const body = [
    0x5f,
    0x01,
    0x04,
    ...new TextEncoder().encode("0107"),
    0x5f,
    0x36,
    0x06,
    ...new TextEncoder().encode("040000"),
    0x5c,
    list.length,
    ...list,
  ];
  return Uint8Array.of(0x60, body.length, ...body);
}

/** The chip's files by the folder names of `deno task document verify`. */
function chipFolderFiles(passport: SyntheticPassport): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const groups = [...passport.files.dataGroups.keys()].sort((a, b) => a - b);
  files.set("EF_COM.bin", encodeCom(groups));
  files.set("EF_SOD.bin", passport.files.sod);
  for (const dg of groups) files.set(`DG${dg}.bin`, passport.files.dataGroups.get(dg)!);
  return files;
}

function yymmdd(iso: string): string {
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

async function run(args: string[], env: Record<string, string> = {}) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test({
  name: "pcsc × vicc: `deno task chip read` reads the passport over BAC, document verify passes",
  ignore: unavailable !== undefined,
  async fn() {
    const passport = await createSyntheticPassport({ portrait: portraitOf(16 * 1024) });
    const dir = await Deno.makeTempDir({ prefix: "kayle-vicc-test-" });
    const chipFiles = chipFolderFiles(passport);
    await Deno.mkdir(join(dir, "chip"));
    for (const [name, bytes] of chipFiles) await Deno.writeFile(join(dir, "chip", name), bytes);
    await Deno.writeFile(join(dir, "csca.der"), passport.cscaCertificate);
    const chip = await startVirtualChip(join(dir, "chip"));
    try {
      const mrz = passport.mrzFields;
      const key = [
        "--document-number",
        mrz.documentNumber,
        "--date-of-birth",
        yymmdd(mrz.dateOfBirth),
        "--date-of-expiry",
        yymmdd(mrz.dateOfExpiry),
      ];
      const reader = ["--reader", `pcsc:${chip.readerName}`, "--wait", "20"];
      const readers = await run(["task", "-q", "chip", "readers"], chip.env);
      assert.equal(readers.code, 0, readers.stderr);
      assert.match(readers.stdout, new RegExp(`^${chip.readerName} 00 00\t`, "m"));
      const out = join(dir, "read");
      const read = await run(
        ["task", "-q", "chip", "read", ...reader, ...key, "--out", out],
        chip.env,
      );
      assert.equal(read.code, 0, read.stdout + read.stderr);
      for (const [name, bytes] of chipFiles) {
        assert.deepEqual(await Deno.readFile(join(out, name)), bytes, `${name} differs`);
      }
      assert.match(read.stderr, /reading dg2: 16\d{3} of 16\d{3} bytes/);
      const printed = read.stdout + read.stderr;
      for (const personal of [mrz.documentNumber, mrz.primaryIdentifier, yymmdd(mrz.dateOfBirth)]) {
        assert.ok(!printed.includes(personal), "the command printed personal data");
      }

      const verify = await run([
        "task",
        "-q",
        "document",
        "verify",
        out,
        "--trust",
        join(dir, "csca.der"),
      ]);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      assert.match(verify.stdout, /passive_authentication\s+passed.*DG hashes matched: 1,2,14,15/);

      const wrong = await run([
        "task",
        "-q",
        "chip",
        "read",
        ...reader,
        ...key.slice(0, 3),
        "740813",
        ...key.slice(4),
        "--out",
        join(dir, "wrong"),
      ], chip.env);
      assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
      assert.match(wrong.stderr, /^mrz_key_rejected: /m);
    } finally {
      await chip.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Reads stdout lines of a child process one at a time, each within `timeoutMs`. */
function lineReader(stream: ReadableStream<Uint8Array>, timeoutMs = 30_000) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const nextLine = async (): Promise<string> => {
    while (!buffer.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the reader process ended; it had said: ${buffer}`);
      buffer += decoder.decode(value, { stream: true });
    }
    const index = buffer.indexOf("\n");
    const line = buffer.slice(0, index);
    buffer = buffer.slice(index + 1);
    return line;
  };
  return async (): Promise<string> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no line from the reader in ${timeoutMs} ms; had: ${buffer}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([nextLine(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

Deno.test({
  name:
    "pcsc × vicc: the card leaves the reader in the middle of DG2; the read resumes and completes",
  ignore: unavailable !== undefined,
  async fn() {
    const passport = await createSyntheticPassport({ portrait: portraitOf(16 * 1024) });
    const dir = await Deno.makeTempDir({ prefix: "kayle-vicc-test-" });
    const chipFiles = chipFolderFiles(passport);
    for (const [name, bytes] of chipFiles) await Deno.writeFile(join(dir, name), bytes);
    const chip = await startVirtualChip(dir);
    const mrz = passport.mrzFields;
    const key = {
      kind: "mrz",
      documentNumber: mrz.documentNumber,
      dateOfBirth: yymmdd(mrz.dateOfBirth),
      dateOfExpiry: yymmdd(mrz.dateOfExpiry),
    };
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(REPO, "tests/support/vicc/resume_reader.ts"),
        `pcsc:${chip.readerName}`,
        JSON.stringify(key),
      ],
      env: chip.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const stdin = child.stdin.getWriter();
    const next = lineReader(child.stdout);
    try {
      assert.equal(await next(), "pause");
      await chip.removeCard();
      await stdin.write(new TextEncoder().encode("go\n"));
      await stdin.close();
      assert.equal(await next(), "lost");
      await chip.insertCard();
      const result = JSON.parse(await next());
      assert.equal(result.paused, true);
      const hex = (bytes: Uint8Array) =>
        Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      assert.equal(result.files.dg2, hex(chipFiles.get("DG2.bin")!));
      assert.equal(result.files.sod, hex(chipFiles.get("EF_SOD.bin")!));
      assert.equal(result.files.dg1, hex(chipFiles.get("DG1.bin")!));
      assert.equal((await child.status).code, 0, await stderr);
    } catch (error) {
      try {
        child.kill();
      } catch { /* already ended */ }
      await child.status;
      throw new Error(`${error}\nreader: ${await stderr}\n${chip.logs()}`);
    } finally {
      await stdin.abort().catch(() => {});
      await chip.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
