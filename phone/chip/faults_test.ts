/**
 * Failures a phone meets in the field, each provoked on the emulator and each with its code:
 * wrong MRZ or CAN, a tag lost mid-DG2 (resumed at the offset reached), missing or wrong response
 * MACs, a slow chip, a silent chip, a BAC-only chip, a chip that lists PACE but refuses it, a
 * chip without extended length, and a cloned chip or a wrong AA key (caught by the server).
 */
import assert from "node:assert/strict";
import { ChipError, chipErrorMessage, ChipReader, type ChipTransport } from "./mod.ts";
import { EmulatedChip, EmulatorTransport, type ServedRead } from "./emulator/mod.ts";
import { accessKeyFor, emulatedTransportFor, emulatorConfigFor } from "../emulated_passport.ts";
import { verifyActiveAuthentication } from "../../verify/active/active_authentication.ts";
import {
  assertFilesMatch,
  bigPortrait,
  chipAuthenticationVerdict,
  passport,
} from "../chip_test_support.ts";
import { encodeCommand } from "./sm.ts";

const PORTRAIT = bigPortrait(20_000);
const doc = () => passport({ portrait: PORTRAIT, now: new Date("2026-01-01") });
const BAC_ONLY = { pace: [] };
const CAN_PACE = {
  pace: [{ agreement: "ECDH" as const, parameterId: 13, cipher: "AES-128" as const }],
  can: "123456",
};

Deno.test("a wrong MRZ is mrz_key_rejected, over PACE and over BAC", async () => {
  const d = await doc();
  const wrong = { ...accessKeyFor(d), dateOfBirth: "010101" };
  for (const options of [{}, BAC_ONLY]) {
    const reader = new ChipReader(emulatedTransportFor(d, options));
    const error = await reader.open(wrong).catch((e) => e);
    assert.ok(error instanceof ChipError);
    assert.equal(error.code, "mrz_key_rejected");
    assert.match(chipErrorMessage(error.code), /date of birth/);
    assert.doesNotMatch(error.message, /010101|L898902C/);
  }
  // The chip holding another MRZ (the emulator's own fault switch) refuses the printed one.
  const reader = new ChipReader(emulatedTransportFor(d, { refuseKey: true }));
  await assert.rejects(reader.open(accessKeyFor(d)), { code: "mrz_key_rejected" });
});

Deno.test("a malformed key is invalid_access_key before any APDU", async () => {
  let sent = 0;
  const reader = new ChipReader({
    transceive: () => (sent++, Promise.resolve(Uint8Array.of(0x90, 0))),
  });
  await assert.rejects(
    reader.open({
      kind: "mrz",
      documentNumber: "L89-8902",
      dateOfBirth: "740812",
      dateOfExpiry: "300101",
    }),
    { code: "invalid_access_key" },
  );
  await assert.rejects(reader.open({ kind: "can", can: "12" }), { code: "invalid_access_key" });
  assert.equal(sent, 0);
});

Deno.test("the CAN opens a PACE chip; a wrong CAN is can_rejected; a BAC-only chip needs the MRZ", async () => {
  const d = await doc();
  const reader = new ChipReader(emulatedTransportFor(d, CAN_PACE));
  assert.equal((await reader.open({ kind: "can", can: "123456" })).protocol, "PACE");
  assert.deepEqual(await reader.readFile("dg1"), d.files.dataGroups.get(1));
  await assert.rejects(
    new ChipReader(emulatedTransportFor(d, CAN_PACE)).open({ kind: "can", can: "654321" }),
    { code: "can_rejected" },
  );
  await assert.rejects(
    new ChipReader(emulatedTransportFor(d, BAC_ONLY)).open({ kind: "can", can: "123456" }),
    { code: "unsupported_chip" },
  );
});

Deno.test("a chip that lists PACE but refuses MSE:Set AT (6A80) is read with BAC", async () => {
  const d = await doc();
  for (const sw of [0x6a80, 0x6985, 0x6d00]) {
    const reader = new ChipReader(emulatedTransportFor(d, { refusePace: sw }));
    assert.equal((await reader.open(accessKeyFor(d))).protocol, "BAC");
    assertFilesMatch(await reader.readPassport(), d);
  }
});

Deno.test("a BAC-only chip (no EF.CardAccess) is read with BAC", async () => {
  const d = await doc();
  const reader = new ChipReader(emulatedTransportFor(d, BAC_ONLY));
  assert.deepEqual(await reader.open(accessKeyFor(d)), { protocol: "BAC", cipher: "3DES" });
  const files = await reader.readPassport();
  assert.equal(files.cardAccess, undefined);
  assertFilesMatch(files, d);
});

function recordingTransport(transport: EmulatorTransport, reads: ServedRead[]): ChipTransport {
  return {
    async transceive(apdu) {
      try {
        return await transport.transceive(apdu);
      } finally {
        if (transport.chip.lastRead) reads.push(transport.chip.lastRead);
      }
    },
    reconnect: () => transport.reconnect(),
  };
}

Deno.test("a tag lost in the middle of DG2 resumes at the offset reached and completes", async () => {
  const d = await doc();
  for (const options of [{}, BAC_ONLY, { extendedLength: false }]) {
    const transport = emulatedTransportFor(d, {
      ...options,
      faults: { tagLost: { file: "dg2", atOffset: 9000 } },
    });
    const reads: ServedRead[] = [];
    const lines: string[] = [];
    const reader = new ChipReader(recordingTransport(transport, reads), {
      log: (l) => lines.push(l),
    });
    await reader.open(accessKeyFor(d));
    const files = await reader.readPassport();
    assertFilesMatch(files, d);
    assert.equal(transport.losses, 1);
    assert.equal(transport.reconnects, 1);
    const dg2 = reads.filter((r) => r.file === "dg2");
    const lost = dg2.findIndex((r) => r.offset >= 9000);
    // After the loss the reader continued where it was: no DG2 offset below the lost read's.
    assert.ok(dg2.slice(lost + 1).every((r) => r.offset >= dg2[lost].offset), JSON.stringify(dg2));
    assert.ok(lines.some((l) => l.startsWith("tag_lost; re-establishing")));
    assert.ok(lines.every((l) => !l.includes("L898902C") && !l.includes("ERIKSSON")));
  }
});

Deno.test("a tag that never comes back is tag_lost after the bounded recoveries", async () => {
  const d = await doc();
  const transport = emulatedTransportFor(d, {
    faults: { tagLost: { file: "dg2", atOffset: 0, times: 99 } },
  });
  const reader = new ChipReader(transport, { maxRecoveries: 2 });
  await reader.open(accessKeyFor(d));
  await assert.rejects(reader.readFile("dg2"), { code: "tag_lost" });
  assert.equal(transport.losses, 3);
});

Deno.test("a missing or wrong response MAC is secure_messaging_failed", async () => {
  const d = await doc();
  for (const fault of ["missing", "bad"] as const) {
    for (const options of [{}, BAC_ONLY]) {
      const reader = new ChipReader(
        emulatedTransportFor(d, { ...options, responseMacFault: fault }),
      );
      await reader.open(accessKeyFor(d));
      await assert.rejects(reader.readPassport(), { code: "secure_messaging_failed" });
    }
  }
});

Deno.test("a slow chip is read completely; its delay is paid once per APDU", async () => {
  const d = await doc();
  const slept: number[] = [];
  const transport = emulatedTransportFor(d, {
    faults: { delayMs: 40, sleep: (ms) => (slept.push(ms), Promise.resolve()) },
  });
  const reader = new ChipReader(transport);
  await reader.open(accessKeyFor(d));
  assertFilesMatch(await reader.readPassport(), d);
  assert.equal(slept.length, reader.stats.apdus);
  assert.ok(slept.every((ms) => ms === 40));
});

Deno.test("a chip that stops answering is a timeout", async () => {
  const d = await doc();
  const transport = emulatedTransportFor(d);
  let silent = false;
  const reader = new ChipReader({
    transceive: (apdu) => silent ? new Promise<Uint8Array>(() => {}) : transport.transceive(apdu),
  }, { apduTimeoutMs: 30, maxRecoveries: 0 });
  await reader.open(accessKeyFor(d));
  silent = true;
  await assert.rejects(reader.readFile("dg1"), { code: "timeout" });
});

Deno.test("without extended length the reader falls back to short reads and odd-INS B1 past 32767", async () => {
  const d = await passport({ portrait: bigPortrait(40_000), now: new Date("2026-01-01") });
  const reads: ServedRead[] = [];
  const transport = emulatedTransportFor(d, { extendedLength: false });
  const reader = new ChipReader(recordingTransport(transport, reads));
  await reader.open(accessKeyFor(d));
  const dg2 = await reader.readFile("dg2");
  assert.deepEqual(dg2, d.files.dataGroups.get(2));
  assert.ok(reads.some((r) => r.file === "dg2" && r.offset > 32767));
  assert.ok(reads.filter((r) => r.file === "dg2").every((r) => r.length <= 223));
  const extended = new ChipReader(emulatedTransportFor(d));
  await extended.open(accessKeyFor(d));
  const before = extended.stats.apdus;
  assert.deepEqual(await extended.readFile("dg2"), dg2);
  assert.ok(extended.stats.apdus - before < 15);
});

Deno.test("files the chip lacks are null; nothing is readable before access control", async () => {
  const d = await doc();
  const reader = new ChipReader(emulatedTransportFor(d));
  await assert.rejects(reader.readFile("dg1"), { code: "not_open" });
  await reader.open(accessKeyFor(d));
  assert.equal(await reader.readFile("dg11"), null);
  const chip = new EmulatedChip(emulatorConfigFor(d));
  const sw = (apdu: Uint8Array) => {
    const r = chip.process(apdu);
    return (r[r.length - 2] << 8) | r[r.length - 1];
  };
  assert.equal(
    sw(
      encodeCommand({
        cla: 0,
        ins: 0xa4,
        p1: 4,
        p2: 0x0c,
        data: Uint8Array.of(0xa0, 0, 0, 2, 0x47, 0x10, 1),
      }),
    ),
    0x9000,
  );
  assert.equal(
    sw(encodeCommand({ cla: 0, ins: 0xa4, p1: 2, p2: 0x0c, data: Uint8Array.of(1, 1) })),
    0x6982,
  );
  assert.equal(sw(encodeCommand({ cla: 0, ins: 0xb0, p1: 0x81, p2: 0, le: 16 })), 0x6982);
});

Deno.test("a cloned chip and a wrong AA key are caught by the server's checks", async () => {
  const clone = await passport({ failChipAuth: true, now: new Date("2026-01-01") });
  const reader = new ChipReader(emulatedTransportFor(clone));
  await reader.open(accessKeyFor(clone));
  const files = await reader.readPassport();
  assert.deepEqual(await chipAuthenticationVerdict(reader, files.dg14!), {
    ok: false,
    reason: "response_not_protected",
  });
  const wrongAa = await passport({ wrongAaKey: true, now: new Date("2026-01-01") });
  const aaReader = new ChipReader(emulatedTransportFor(wrongAa));
  await aaReader.open(accessKeyFor(wrongAa));
  const aaFiles = await aaReader.readPassport();
  const challenge = crypto.getRandomValues(new Uint8Array(8));
  const signature = await aaReader.activeAuthentication(challenge);
  const verdict = await verifyActiveAuthentication({ dg15: aaFiles.dg15!, challenge, signature });
  assert.equal(verdict.ok, false);
});

Deno.test("6Cxx: the reader repeats the READ BINARY with the length the chip asks for", async () => {
  const d = await doc();
  let asked = false;
  const lengths: number[] = [];
  const chip = new EmulatedChip({
    ...emulatorConfigFor(d, { pace: [] }),
    tamper: (command, response) => {
      if (command.ins !== 0xb0) return response;
      lengths.push(command.le ?? 0);
      if (asked) return response;
      asked = true;
      return { data: new Uint8Array(0), sw: 0x6c20 };
    },
  });
  const reader = new ChipReader(new EmulatorTransport(chip), { preferExtendedLength: false });
  await reader.open(accessKeyFor(d));
  assert.deepEqual(await reader.readFile("dg1"), d.files.dataGroups.get(1));
  assert.deepEqual(lengths.slice(0, 2), [223, 0x20]);
});

Deno.test("PACE-GM on every standardized domain the reader supports", async () => {
  const d = await doc();
  for (
    const [agreement, ids] of [["ECDH", [10, 11, 12, 13, 14, 15, 16, 17, 18]], ["DH", [
      0,
      1,
      2,
    ]]] as const
  ) {
    for (const parameterId of ids) {
      const reader = new ChipReader(
        emulatedTransportFor(d, { pace: [{ agreement, parameterId, cipher: "AES-192" }] }),
      );
      assert.deepEqual(await reader.open(accessKeyFor(d)), {
        protocol: "PACE",
        cipher: "AES-192",
        mapping: "GM",
      });
      assert.deepEqual(
        await reader.readFile("dg1"),
        d.files.dataGroups.get(1),
        `${agreement} ${parameterId}`,
      );
    }
  }
});

Deno.test("PACE Integrated Mapping (ECDH and DH) opens the chip; IM comes after GM when both are offered", async () => {
  const d = await doc();
  for (
    const [agreement, parameterId] of [["ECDH", 13], ["ECDH", 12], ["DH", 0], ["ECDH", 18]] as const
  ) {
    for (const cipher of ["3DES", "AES-128", "AES-256"] as const) {
      const reader = new ChipReader(
        emulatedTransportFor(d, { pace: [{ agreement, mapping: "IM", parameterId, cipher }] }),
      );
      assert.deepEqual(await reader.open(accessKeyFor(d)), {
        protocol: "PACE",
        cipher,
        mapping: "IM",
      });
      assert.deepEqual(await reader.readFile("dg1"), d.files.dataGroups.get(1));
    }
  }
  const both = new ChipReader(emulatedTransportFor(d, {
    pace: [
      { agreement: "ECDH", mapping: "IM", parameterId: 13, cipher: "AES-128" },
      { agreement: "ECDH", parameterId: 13, cipher: "AES-128" },
    ],
  }));
  assert.equal((await both.open(accessKeyFor(d))).mapping, "GM");
  const wrong = new ChipReader(emulatedTransportFor(d, {
    pace: [{ agreement: "ECDH", mapping: "IM", parameterId: 13, cipher: "AES-128" }],
  }));
  await assert.rejects(wrong.open({ ...accessKeyFor(d), dateOfExpiry: "010101" }), {
    code: "mrz_key_rejected",
  });
});

Deno.test("readPassport reads DG11/DG12 when EF.COM lists them, and tries every file without EF.COM", async () => {
  const d = await doc();
  const { encodeCom } = await import("../emulated_passport.ts");
  const dg11 = Uint8Array.of(0x6b, 0x03, 0x5c, 0x01, 0x00);
  const base = emulatorConfigFor(d, { pace: [] });
  const listed = new ChipReader(
    new EmulatorTransport(
      new EmulatedChip({
        ...base,
        files: { ...base.files, com: encodeCom([1, 2, 11, 14, 15]), dg11 },
      }),
    ),
  );
  await listed.open(accessKeyFor(d));
  const files = await listed.readPassport();
  assert.deepEqual(files.dg11, dg11);
  assert.equal(files.dg12, undefined);
  const { com: _com, ...withoutCom } = base.files;
  const reads: ServedRead[] = [];
  const bare = new EmulatorTransport(
    new EmulatedChip({ ...base, files: { ...withoutCom, dg12: dg11 } }),
  );
  const reader = new ChipReader(recordingTransport(bare, reads));
  await reader.open(accessKeyFor(d));
  const all = await reader.readPassport();
  assert.equal(all.com, undefined);
  assert.deepEqual(all.dg12, dg11);
  assertFilesMatch({ ...all, com: new Uint8Array(0) }, d);
});

Deno.test("a PACE-only chip with the application pre-selected (iOS) is opened with PACE after SELECT MF", async () => {
  const d = await doc();
  const transport = emulatedTransportFor(d, { bac: false, applicationPreselected: true });
  const reader = new ChipReader(transport, { maxRecoveries: 1 });
  assert.equal((await reader.open(accessKeyFor(d))).protocol, "PACE");
  assert.deepEqual(await reader.readFile("dg1"), d.files.dataGroups.get(1));
  // A PACE-only chip whose EF.CardAccess cannot be read cannot be opened: BAC is refused.
  const none = new ChipReader(emulatedTransportFor(d, { bac: false, pace: [] }));
  await assert.rejects(none.open(accessKeyFor(d)), { code: "unsupported_chip" });
});
