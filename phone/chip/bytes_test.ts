import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { decodeOid, fromBase64, oidBytes, readTlv, tlv, toBase64 } from "./bytes.ts";
import { checkDigit } from "./keys.ts";

Deno.test("base64 without btoa matches the platform's, and round-trips", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      const text = toBase64(bytes);
      assert.equal(text, btoa(String.fromCharCode(...bytes)));
      assert.deepEqual(fromBase64(text), bytes);
    }),
    { numRuns: 500 },
  );
  assert.equal(fromBase64("not base64!"), undefined);
});

Deno.test("TLV and OID encoding round-trip", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(0x87, 0x7c, 0x5f01, 0x7f49),
      fc.uint8Array({ maxLength: 70_000 }),
      (tag, value) => {
        const parsed = readTlv(tlv(tag, value));
        assert.equal(parsed.tag, tag);
        assert.deepEqual(parsed.value, value);
      },
    ),
    { numRuns: 60 },
  );
  for (const oid of ["0.4.0.127.0.7.2.2.4.2.2", "1.2.840.10045.2.1", "2.23.136.1.1.5"]) {
    assert.equal(decodeOid(oidBytes(oid)), oid);
  }
});

Deno.test("ICAO 9303-3 check digits", () => {
  assert.equal(checkDigit("L898902C<"), "3");
  assert.equal(checkDigit("690806"), "1");
  assert.equal(checkDigit("940623"), "6");
  assert.equal(checkDigit("D23145890734"), "9");
});
