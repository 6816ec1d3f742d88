/**
 * The reading side of tests/pcsc_vicc_test.ts's lost-tag test, in a process of its own (pcsc-lite
 * reads PCSCLITE_CSOCK_NAME once per process). It reads the passport through the reader core
 * over PC/SC and talks to the test over stdin/stdout, so every step waits on an event:
 *
 *   → "pause"   DG2 is partly read; the reader holds its next APDU until a line arrives on stdin
 *               (the test takes the card off the reader, then sends the line)
 *   → "lost"    that APDU failed, and the transport's reconnect saw the reader empty (the test
 *               puts the card back)
 *   → {"files": {...}, "apdus": n}   the read completed; the file names and their hex
 *
 * usage: resume_reader.ts <reader spec> <access key JSON>
 */
import { type AccessKey, type ChipTransport, readPassport } from "../../../phone/chip/mod.ts";
import { openPcscReader } from "../../../phone/pcsc/mod.ts";

const [spec, keyJson] = Deno.args;
const key = JSON.parse(keyJson) as AccessKey;
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
const say = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));

const transport = await openPcscReader(spec, {
  waitForCardMs: 20_000,
  reconnectWaitMs: 30_000,
  onCardAway: () => say("lost"),
});
let pauseNext = false;
let paused = false;
const wrapped: ChipTransport = {
  async transceive(command) {
    if (pauseNext && !paused) {
      paused = true;
      say("pause");
      await lines.read();
    }
    return await transport.transceive(command);
  },
  reconnect: () => transport.reconnect(),
};
try {
  const files = await readPassport(wrapped, key, {
    onProgress: (progress) => {
      if (progress.file === "dg2" && progress.bytesRead > 0) {
        pauseNext ||= progress.bytesRead < progress.totalBytes;
      }
    },
  });
  const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0"));
  const out = Object.fromEntries(
    Object.entries(files).map(([name, bytes]) => [name, hex(bytes!).join("")]),
  );
  say(JSON.stringify({ files: out, paused, apdus: transport.apdus }));
} finally {
  transport.close();
}
// The stdin reader still has a read pending: end here rather than wait for the test's stdin.
Deno.exit(0);
