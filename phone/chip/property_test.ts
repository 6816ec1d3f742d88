/**
 * Property: whatever a chip (or an attacker in the field) answers, the reader only ever fails
 * with a typed {@link ChipError} — never a TypeError, RangeError or a crypto library's error.
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { ChipError, ChipReader } from "./mod.ts";
import { fromHex } from "./bytes.ts";

const KEY = {
  kind: "mrz",
  documentNumber: "L898902C3",
  dateOfBirth: "740812",
  dateOfExpiry: "300101",
} as const;
const OK = Uint8Array.of(0x90, 0x00);
/** EF.CardAccess offering PACE-GM ECDH P-256 AES-128 (so PACE steps meet the random answers). */
const CARD_ACCESS = fromHex("31143012060a04007f0007020204020202010202010c9000");
const DH_CARD_ACCESS = fromHex("31143012060a04007f000702020401020201020201009000");

const randomResponse = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 80 }) },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.uint8Array({ maxLength: 70 }),
      fc.constantFrom(0x9000, 0x6282, 0x6300, 0x6c10, 0x6b00, 0x6a82),
    )
      .map(([data, sw]) => Uint8Array.of(...data, sw >> 8, sw & 0xff)),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 0x80, max: 0x86 }), fc.uint8Array({ maxLength: 70 }))
      .map(([tag, data]) =>
        Uint8Array.of(0x7c, data.length + 2, tag, data.length, ...data, 0x90, 0x00)
      ),
  },
);

const script = fc.tuple(
  fc.constantFrom<Uint8Array[]>(
    [],
    [CARD_ACCESS, OK],
    [DH_CARD_ACCESS, OK],
    [Uint8Array.of(0x6a, 0x82), OK, fromHex("01020304050607089000")],
  ),
  fc.array(randomResponse, { maxLength: 8 }),
).map(([prefix, rest]) => [...prefix, ...rest]);

Deno.test("the reader throws only ChipError on arbitrary response APDUs (10 000 cases)", async () => {
  await fc.assert(
    fc.asyncProperty(script, fc.boolean(), async (responses, extended) => {
      let i = 0;
      const reader = new ChipReader({
        transceive: () => Promise.resolve(responses[i++] ?? OK),
        reconnect: () => Promise.resolve(),
      }, { preferExtendedLength: extended, random: (n) => new Uint8Array(n).fill(7) });
      try {
        await reader.open(KEY);
        await reader.readFile("dg1");
        await reader.activeAuthentication(new Uint8Array(8));
      } catch (error) {
        if (!(error instanceof ChipError)) throw error;
      }
    }),
    { numRuns: 10_000 },
  );
});

Deno.test("arbitrary bytes as EF.CardAccess or as a chip's PACE answers are ChipErrors too", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 60 }),
      fc.uint8Array({ maxLength: 60 }),
      async (a, b) => {
        const responses = [
          Uint8Array.of(0x31, a.length, ...a, 0x90, 0x00),
          OK,
          Uint8Array.of(...b, 0x90, 0x00),
        ];
        let i = 0;
        const reader = new ChipReader({ transceive: () => Promise.resolve(responses[i++] ?? OK) });
        await reader.open(KEY).catch((error) =>
          assert.ok(error instanceof ChipError, String(error))
        );
      },
    ),
    { numRuns: 2_000 },
  );
});

Deno.test("correctly protected but arbitrary chip answers after BAC are ChipErrors too", async () => {
  const { EmulatedChip, EmulatorTransport } = await import("./emulator/mod.ts");
  const files = {
    com: fromHex("60055c03617577"),
    dg1: fromHex("61035f1f00"),
    dg2: fromHex("7503010203"),
  };
  const answer = fc.tuple(
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(0x9000, 0x6282, 0x6b00, 0x6c05, 0x6c00, 0x6a82, 0x6982, 0x6700, 0x6f00),
  ).map(([data, sw]) => ({ data, sw }));
  await fc.assert(
    fc.asyncProperty(
      fc.array(answer, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      async (answers, extended) => {
        let i = 0;
        const chip = new EmulatedChip({
          files,
          mrz: KEY,
          pace: [],
          tamper: (
            _command,
            response,
          ) => (i++ === 0 ? response : answers[(i - 2) % answers.length]),
        });
        const reader = new ChipReader(new EmulatorTransport(chip), {
          preferExtendedLength: extended,
          maxRecoveries: 1,
        });
        try {
          await reader.open(KEY);
          await reader.readPassport();
          await reader.activeAuthentication(new Uint8Array(8));
        } catch (error) {
          if (!(error instanceof ChipError)) throw error;
        }
      },
    ),
    { numRuns: 1_000 },
  );
});
