/**
 * The reference phone reads its synthetic passport through the reader core and the chip
 * emulator: APDUs, access control and secure messaging happen on every run, and the files the
 * server checks are the ones that came over the (emulated) air — also over BAC, and after the
 * tag was lost in the middle of DG2.
 */
import assert from "node:assert/strict";
import { createSession, setupHandoffApp } from "./support/handoff.ts";
import { inProcessPhoneApi } from "../lib/handoff/simulate.ts";
import {
  accessKeyFor,
  emulatedTransportFor,
  passportFor,
  runPhone,
  scenarioByName,
} from "../phone/mod.ts";

const CASES = [
  { name: "PACE (default chip)", chip: undefined, expect: /PACE established/ },
  { name: "a BAC-only chip", chip: { pace: [] }, expect: /BAC established/ },
  {
    name: "a tag lost in the middle of DG2",
    chip: { faults: { tagLost: { file: "dg2" as const, atOffset: 1 } } },
    expect: /tag_lost; re-establishing/,
  },
];

for (const c of CASES) {
  Deno.test(`the reference phone reads its passport over APDUs: ${c.name}`, async () => {
    const t = await setupHandoffApp();
    try {
      const { id } = await createSession(t);
      const lines: string[] = [];
      const result = await runPhone({
        api: inProcessPhoneApi(t.deps),
        sessionId: id,
        scenario: "success",
        now: t.clock.now(),
        chip: c.chip,
        log: (line) => lines.push(line),
      });
      assert.equal(result.status, "succeeded", JSON.stringify(result));
      assert.match(lines.join("\n"), c.expect);
      assert.match(lines.join("\n"), /read dg2: \d+ bytes/);
      assert.match(lines.join("\n"), /chip authentication relayed/);
      assert.doesNotMatch(lines.join("\n"), /L898902C|ERIKSSON|740812/);
    } finally {
      await t.close();
    }
  });
}

Deno.test("the reference phone reads any chip given as a transport and key (as a USB reader would)", async () => {
  const t = await setupHandoffApp();
  try {
    const { id } = await createSession(t);
    const doc = await passportFor(scenarioByName("success"), t.clock.now());
    const transport = emulatedTransportFor(doc, { pace: [], extendedLength: false });
    const progress: string[] = [];
    const result = await runPhone({
      api: inProcessPhoneApi(t.deps),
      sessionId: id,
      reader: { transport, key: accessKeyFor(doc) },
      onProgress: (p) => progress.push(`${p.file}:${p.bytesRead}/${p.totalBytes}`),
    });
    assert.equal(result.status, "succeeded", JSON.stringify(result));
    assert.ok(transport.chip.apdus > 10);
    assert.ok(
      progress.includes(
        `dg1:${doc.files.dataGroups.get(1)!.length}/${doc.files.dataGroups.get(1)!.length}`,
      ),
    );
  } finally {
    await t.close();
  }
});
