import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { readVector, readVectorJson } from "../vectors_test_support.ts";
import { extractPortrait, type PortraitFailureReason } from "./portrait.ts";
import { tinyJpeg, tlv } from "./tlv_test_support.ts";

const REASONS: ReadonlySet<PortraitFailureReason> = new Set([
  "dg2_malformed",
  "dg2_wrong_tag",
  "dg2_no_biometric_data",
  "dg2_no_image",
]);

/** A 19794-5 facial record: general header, facial header (length only matters), image. */
function facRecord(image: Uint8Array): Uint8Array {
  const faceLength = 32 + image.length;
  const total = 14 + faceLength;
  const u32 = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const facialHeader = [...u32(faceLength), ...new Array(28).fill(0)];
  return new Uint8Array([
    0x46,
    0x41,
    0x43,
    0x00,
    0x30,
    0x31,
    0x30,
    0x00,
    ...u32(total),
    0x00,
    0x01,
    ...facialHeader,
    ...image,
  ]);
}

function syntheticDg2(block: Uint8Array): Uint8Array {
  const bit = tlv(0x7f60, tlv(0xa1, tlv(0x87, [0x01, 0x01])), block);
  return tlv(0x75, tlv(0x7f61, tlv(0x02, [0x01]), bit));
}

Deno.test("19794-5 DG2: the JPEG is found by magic bytes with its own size", () => {
  const image = tinyJpeg(148, 70);
  const result = extractPortrait(syntheticDg2(tlv(0x5f2e, facRecord(image))));
  assert.ok(result.ok);
  assert.equal(result.portrait.format, "jpeg");
  assert.deepEqual([...result.portrait.bytes], [...image]);
  assert.equal(result.portrait.width, 148);
  assert.equal(result.portrait.height, 70);
});

Deno.test("39794-5 DG2: the image is the primitive value that starts with a magic", () => {
  const j2k = new Uint8Array([
    0xff,
    0x4f,
    0xff,
    0x51,
    0,
    41,
    0,
    0,
    0,
    0,
    1,
    0x9d,
    0,
    0,
    2,
    0x13,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xd9,
  ]);
  const record = tlv(0x7f2e, tlv(0xa1, tlv(0xa0, tlv(0x80, [1]), tlv(0x81, j2k))));
  const result = extractPortrait(syntheticDg2(record));
  assert.ok(result.ok);
  assert.equal(result.portrait.format, "j2k");
  assert.equal(result.portrait.width, 413);
  assert.equal(result.portrait.height, 531);
});

Deno.test("DG2 failures: wrong tag, no biometric block, no image, truncated", () => {
  const reasonOf = (bytes: Uint8Array) => {
    const result = extractPortrait(bytes);
    return result.ok ? "ok" : result.reason;
  };
  assert.equal(reasonOf(tlv(0x61, [0])), "dg2_wrong_tag");
  assert.equal(reasonOf(tlv(0x75, tlv(0x7f61, tlv(0x02, [0])))), "dg2_no_biometric_data");
  assert.equal(reasonOf(syntheticDg2(tlv(0x5f2e, facRecord(new Uint8Array(10))))), "dg2_no_image");
  const good = syntheticDg2(tlv(0x5f2e, facRecord(tinyJpeg(1, 1))));
  assert.equal(reasonOf(good.subarray(0, good.length - 3)), "dg2_malformed");
});

Deno.test({
  name: "dg2-samples: 39794-5 images at the stated offsets, byte-identical to the JP2 file",
  fn() {
    const expected = readVectorJson<{ files: Record<string, { face_image_offset?: number }> }>(
      "dg2-samples/expected.json",
    );
    const face = readVector("dg2-samples/ICAO_39794_5_AP_Face.jp2");
    for (
      const name of ["ICAO_39794_5_AP_DG2_AllFields.bin", "ICAO_39794_5_AP_DG2_MandFields.bin"]
    ) {
      const result = extractPortrait(readVector(`dg2-samples/${name}`));
      assert.ok(result.ok, name);
      assert.equal(result.portrait.format, "jp2");
      assert.equal(result.portrait.offset, expected.files[name].face_image_offset);
      assert.deepEqual(result.portrait.bytes, face);
      assert.equal(result.portrait.width, 413);
      assert.equal(result.portrait.height, 531);
    }
  },
});

Deno.test({
  name: "dg2-samples: a bare FAC record whose header says JPEG 2000 holds a JPEG (magic wins)",
  fn() {
    const result = extractPortrait(readVector("dg2-samples/ISO19794_5_FAC_record_Test1.bin"));
    assert.ok(result.ok);
    assert.equal(result.portrait.format, "jpeg");
    assert.equal(result.portrait.offset, 46);
    assert.deepEqual(
      result.portrait.bytes,
      readVector("dg2-samples/ISO19794_5_FAC_record_Test1_Face.jpg"),
    );
    assert.equal(result.portrait.width, 148);
    assert.equal(result.portrait.height, 70);
  },
});

Deno.test({
  name: "BSI and BDR DG2: 19794-5 in 5F2E, JP2 at offset 84 of 14999 bytes, 413x531",
  fn() {
    for (const set of ["bsi-tr03105-5", "bdr-test-2008"]) {
      const result = extractPortrait(readVector(`${set}/DG2.bin`));
      assert.ok(result.ok, set);
      assert.equal(result.portrait.format, "jp2");
      assert.equal(result.portrait.offset, 84);
      assert.equal(result.portrait.bytes.length, 14999);
      assert.deepEqual([result.portrait.width, result.portrait.height], [413, 531]);
    }
  },
});

Deno.test("property: random bytes never throw and give a typed failure", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const result = extractPortrait(bytes);
      return result.ok || REASONS.has(result.reason);
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("property: mutated DG2 bytes never throw and give a portrait or a typed failure", () => {
  const good = syntheticDg2(tlv(0x5f2e, facRecord(tinyJpeg(64, 80))));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.nat(good.length),
      (edits, cut) => {
        const mutated = good.slice(0, Math.max(1, cut));
        for (const [index, value] of edits) if (index < mutated.length) mutated[index] = value;
        const result = extractPortrait(mutated);
        return result.ok ? result.portrait.bytes.length > 0 : REASONS.has(result.reason);
      },
    ),
    { numRuns: 5_000 },
  );
});
