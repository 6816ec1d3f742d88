/**
 * The reader core against the chip emulator: APDUs and time to read a 20 KB DG2 over secure
 * messaging, beside the bytes actually moved, with short (223-byte) and extended-length reads,
 * over BAC (3DES) and PACE-GM ECDH P-256 (AES-128). Time to open (access control) is shown too.
 * The emulator answers in-process, so the times are the reader's and the emulator's CPU cost;
 * a real chip adds its own latency per APDU, which the APDU counts let you estimate.
 *
 *   deno run -A bench/chip_bench.ts   prints the section as JSON
 */
import { type BenchSection, median, round } from "./section.ts";
import { ChipReader } from "../phone/chip/mod.ts";
import { accessKeyFor, emulatedTransportFor } from "../phone/emulated_passport.ts";
import { createSyntheticPassport } from "../verify/mod.ts";

const RUNS = Number(Deno.env.get("CHIP_BENCH_RUNS") ?? 15);
const DG2_TARGET = 20 * 1024;

function portrait(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + 17) & 0xff;
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

/** Runs the section. */
export async function bench(): Promise<BenchSection> {
  // The DG2 wrapper adds ~80 bytes around the image: aim the whole file at 20 KiB.
  const doc = await createSyntheticPassport({ portrait: portrait(DG2_TARGET - 80) });
  const dg2 = doc.files.dataGroups.get(2)!;
  const rows: BenchSection["rows"] = [];
  const configs = [
    { access: "BAC (3DES)", pace: [] },
    { access: "PACE-GM P-256 (AES-128)", pace: undefined },
  ];
  for (const config of configs) {
    for (const extended of [false, true]) {
      const openMs: number[] = [];
      const readMs: number[] = [];
      let apdus = 0, sent = 0, received = 0;
      for (let run = 0; run < RUNS; run++) {
        const reader = new ChipReader(emulatedTransportFor(doc, { pace: config.pace }), {
          preferExtendedLength: extended,
        });
        let t = performance.now();
        await reader.open(accessKeyFor(doc));
        openMs.push(performance.now() - t);
        const before = { ...reader.stats };
        t = performance.now();
        const bytes = await reader.readFile("dg2");
        readMs.push(performance.now() - t);
        if (bytes?.length !== dg2.length) throw new Error("chip bench: DG2 read incompletely");
        apdus = reader.stats.apdus - before.apdus;
        sent = reader.stats.bytesSent - before.bytesSent;
        received = reader.stats.bytesReceived - before.bytesReceived;
      }
      rows.push({
        access: config.access,
        reads: extended ? "extended (4096 B)" : "short (223 B)",
        "DG2 bytes": dg2.length,
        "APDUs (select + reads)": apdus,
        "bytes sent": sent,
        "bytes received": received,
        "overhead %": round(((sent + received) / dg2.length - 1) * 100, 1),
        "read p50 ms": round(median(readMs)),
        "open p50 ms": round(median(openMs)),
      });
    }
  }
  return {
    title: "Chip reading (reader core × emulator, 20 KB DG2)",
    rows,
    notes: [
      `${RUNS} runs per row; times are CPU in one process (no radio latency).`,
      "At ~10 ms of NFC round trip per APDU (a typical phone), short reads add about " +
      `${
        round(
          ((rows[0]["APDUs (select + reads)"] as number) -
            (rows[1]["APDUs (select + reads)"] as number)) * 10,
          0,
        )
      } ms ` +
      "per 20 KB over extended ones.",
    ],
  };
}

if (import.meta.main) console.log(JSON.stringify(await bench(), null, 2));
