/**
 * A hostile or broken chip, answering with valid MACs what no honest chip would: the reader fails
 * with a typed `malformed_response` (or falls back, for EF.CardAccess) and never passes on bytes
 * that were not the file's.
 */
import assert from "node:assert/strict";
import { ChipError, ChipReader, type ChipTransport } from "./mod.ts";
import { EmulatedChip, EmulatorTransport } from "./emulator/mod.ts";
import { accessKeyFor, emulatorConfigFor } from "../emulated_passport.ts";
import { bigPortrait, passport } from "../chip_test_support.ts";
import { concat, concatParts } from "./bytes.ts";

const doc = () => passport({ portrait: bigPortrait(20_000), now: new Date("2026-01-01") });

Deno.test("a file whose first read returns nothing is malformed, not an empty file", async () => {
  const d = await doc();
  for (const sw of [0x9000, 0x6282, 0x6b00]) {
    const chip = new EmulatedChip({
      ...emulatorConfigFor(d),
      tamper: (c, r) =>
        c.ins === 0xb0 && c.p1 === 0 && c.p2 === 0 ? { data: new Uint8Array(0), sw } : r,
    });
    const reader = new ChipReader(new EmulatorTransport(chip));
    await reader.open(accessKeyFor(d));
    const error = await reader.readFile("dg1").catch((e) => e);
    assert.ok(error instanceof ChipError, String(error));
    assert.equal(error.code, "malformed_response", sw.toString(16));
  }
});

Deno.test("an answer longer than the read asked for is refused, not stitched in", async () => {
  const d = await doc();
  const chip = new EmulatedChip({
    ...emulatorConfigFor(d),
    tamper: (c, r) =>
      c.ins === 0xb0 && (c.p1 !== 0 || c.p2 !== 0) && r.sw === 0x9000
        ? { data: concat(r.data, Uint8Array.of(0xde, 0xad, 0xbe, 0xef)), sw: r.sw }
        : r,
  });
  const reader = new ChipReader(new EmulatorTransport(chip), { preferExtendedLength: false });
  await reader.open(accessKeyFor(d));
  await assert.rejects(reader.readFile("dg2"), { code: "malformed_response" });
});

Deno.test("a Chip Authentication start object with no valid OID is malformed", async () => {
  const d = await doc();
  const reader = new ChipReader(new EmulatorTransport(new EmulatedChip(emulatorConfigFor(d))));
  await reader.open(accessKeyFor(d));
  for (const protocol_oid of ["5", "12", "0", "3.1", "0.4.0..7"]) {
    const error = await reader
      .chipAuthentication({ protocol_oid, terminal_public_key: "BAEC", command: "AAAA" })
      .catch((e) => e);
    assert.ok(error instanceof ChipError, `${protocol_oid}: ${error}`);
    assert.equal(error.code, "malformed_response");
  }
});

Deno.test("an EF.CardAccess declaring 16 MB is not read: the reader falls back to BAC", async () => {
  const d = await doc();
  const inner = new EmulatorTransport(new EmulatedChip(emulatorConfigFor(d)));
  let cardAccessReads = 0;
  const transport: ChipTransport = {
    transceive(apdu) {
      if (apdu[1] === 0xb0 && (apdu[0] & 0x0c) === 0) {
        cardAccessReads++;
        const answer = new Uint8Array(258);
        answer.set([0x31, 0x83, 0xff, 0xff, 0xff]);
        answer.set([0x90, 0x00], 256);
        return Promise.resolve(answer);
      }
      return inner.transceive(apdu);
    },
  };
  const reader = new ChipReader(transport);
  assert.equal((await reader.open(accessKeyFor(d))).protocol, "BAC");
  assert.equal(cardAccessReads, 1, "no read past the header");
});

Deno.test("many parts join without spreading them into arguments", () => {
  const parts = Array.from({ length: 200_000 }, (_, i) => Uint8Array.of(i & 0xff));
  const joined = concatParts(parts);
  assert.equal(joined.length, 200_000);
  assert.equal(joined[199_999], 199_999 & 0xff);
});

Deno.test("a reconnect that never settles ends the read with timeout, not a hang", async () => {
  const d = await doc();
  const inner = new EmulatorTransport(new EmulatedChip(emulatorConfigFor(d)));
  let failNextRead = false;
  let reconnects = 0;
  const transport: ChipTransport = {
    transceive(apdu) {
      if (failNextRead && apdu[1] === 0xb0) {
        failNextRead = false;
        return Promise.reject(new Error("tag gone"));
      }
      return inner.transceive(apdu);
    },
    reconnect() {
      reconnects++;
      return new Promise(() => {}); // the platform's reconnect never answers
    },
  };
  const reader = new ChipReader(transport, { reconnectTimeoutMs: 50 });
  await reader.open(accessKeyFor(d));
  failNextRead = true;
  await assert.rejects(reader.readFile("dg1"), { code: "timeout" });
  assert.equal(reconnects, 1);
});
