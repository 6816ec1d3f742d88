import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { readVector } from "../vectors_test_support.ts";
import {
  Asn1Error,
  children,
  decodeInteger,
  decodeOid,
  decodeTime,
  derInteger,
  derOid,
  derSequence,
  derTlv,
  octetStringValue,
  parseTlv,
  readTlv,
} from "./mod.ts";

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

function assertAsn1Error(fn: () => unknown, code: string): void {
  assert.throws(fn, (e) => e instanceof Asn1Error && e.code === code, code);
}

Deno.test("TLV: definite lengths keep raw and value slices of the input", () => {
  const input = derSequence(derInteger(5), derOid("2.23.136.1.1.1"));
  const tlv = parseTlv(input);
  assert.equal(tlv.tag, 0x30);
  assert.equal(tlv.raw.length, input.length);
  assert.equal(tlv.raw.buffer, input.buffer, "raw is a view, not a copy");
  const [int, oid] = children(tlv);
  assert.equal(decodeInteger(int), 5n);
  assert.equal(decodeOid(oid), "2.23.136.1.1.1");
});

Deno.test("TLV: BER indefinite lengths, nested, are read with the end-of-contents in raw", () => {
  const input = bytes(
    0x30,
    0x80,
    0x24,
    0x80,
    0x04,
    0x01,
    0xaa,
    0x04,
    0x01,
    0xbb,
    0x00,
    0x00,
    0x02,
    0x01,
    0x07,
    0x00,
    0x00,
  );
  const tlv = parseTlv(input);
  assert.equal(tlv.indefinite, true);
  assert.equal(tlv.raw.length, input.length);
  const [octets, int] = children(tlv);
  assert.deepEqual([...octetStringValue(octets)], [0xaa, 0xbb]);
  assert.equal(decodeInteger(int), 7n);
});

Deno.test("TLV: multi-byte tags (0x7F61, 0x5F1F) and long-form lengths", () => {
  const inner = derTlv(0x5f1f, new Uint8Array(200).fill(0x3c));
  const tlv = parseTlv(derTlv(0x7f61, inner));
  assert.equal(tlv.tag, 0x7f61);
  assert.equal(tlv.tagNumber, 0x61);
  assert.equal(children(tlv)[0].tag, 0x5f1f);
  assert.equal(children(tlv)[0].value.length, 200);
});

Deno.test("TLV: malformed input gives distinct typed errors", () => {
  assertAsn1Error(() => parseTlv(bytes()), "truncated");
  assertAsn1Error(() => parseTlv(bytes(0x30, 0x05, 0x02)), "truncated");
  assertAsn1Error(() => parseTlv(bytes(0x02, 0x01, 0x00, 0xff)), "trailing_bytes");
  assertAsn1Error(() => parseTlv(bytes(0x04, 0x80, 0x00, 0x00)), "indefinite_primitive");
  assertAsn1Error(() => parseTlv(bytes(0x30, 0x85, 1, 1, 1, 1, 1)), "length_overflow");
  assertAsn1Error(() => parseTlv(bytes(0x30, 0x80, 0x02, 0x01, 0x00)), "truncated");
  assertAsn1Error(() => parseTlv(bytes(0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00)), "bad_tag");
  const deep = new Uint8Array(200).map((_, i) => (i % 2 === 0 ? 0x30 : 0x80));
  assertAsn1Error(() => parseTlv(deep), "depth_exceeded");
  assertAsn1Error(() => decodeOid(parseTlv(bytes(0x06, 0x01, 0x81))), "bad_oid");
  assertAsn1Error(() => decodeTime(parseTlv(bytes(0x17, 0x03, 0x31, 0x32, 0x33))), "bad_time");
});

Deno.test("TLV: times decode (UTCTime pivot, GeneralizedTime, offsets)", () => {
  const text = (tag: number, s: string) => parseTlv(derTlv(tag, new TextEncoder().encode(s)));
  assert.equal(decodeTime(text(0x17, "491231235959Z")).toISOString(), "2049-12-31T23:59:59.000Z");
  assert.equal(decodeTime(text(0x17, "500101000000Z")).toISOString(), "1950-01-01T00:00:00.000Z");
  assert.equal(decodeTime(text(0x18, "20120101120000Z")).toISOString(), "2012-01-01T12:00:00.000Z");
  assert.equal(decodeTime(text(0x17, "1201011200+0100")).toISOString(), "2012-01-01T11:00:00.000Z");
});

Deno.test("TLV: integers and OIDs round-trip through the DER writer", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
      (n) => decodeInteger(parseTlv(derInteger(n))) === n,
    ),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 39 }),
      fc.array(fc.nat(), { maxLength: 8 }),
      (a, b, rest) => {
        const oid = [a, b, ...rest].join(".");
        return decodeOid(parseTlv(derOid(oid))) === oid;
      },
    ),
    { numRuns: 500 },
  );
});

/** Walks every element, decoding what can be decoded, to exercise every code path. */
function walk(input: Uint8Array): void {
  const visit = (tlv: ReturnType<typeof parseTlv>): void => {
    if (tlv.constructed) children(tlv).forEach(visit);
  };
  visit(readTlv(input));
}

Deno.test({
  name:
    "TLV property: 10,000 random and mutated inputs end in Asn1Error or a parse, never anything else",
  fn() {
    const seeds = ["gmrtd-real/NZ/EF_SOD.bin", "gmrtd-real/DE/EF_SOD.bin", "gmrtd-real/UK/CSCA.der"]
      .map(readVector);
    const mutated = fc.tuple(
      fc.nat(seeds.length - 1),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.nat(),
    ).map(([s, i, v, cut]) => {
      const seed = seeds[s];
      const copy = seed.slice(0, Math.max(1, seed.length - (cut % 64)));
      copy[i % copy.length] = v;
      return copy;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 256 }), mutated), (input) => {
        try {
          walk(input);
        } catch (error) {
          if (!(error instanceof Asn1Error)) throw error;
        }
      }),
      { numRuns: 10_000 },
    );
  },
});
