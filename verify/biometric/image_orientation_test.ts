import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  applyExifOrientation,
  type ExifOrientation,
  readExifOrientation,
  withExifOrientation,
} from "./image_orientation.ts";
import { encodeJpeg, type RgbImage } from "./image_decode.ts";

/** A 3×2 image whose pixels are numbered 0–5 in the red channel. */
function numbered(): RgbImage {
  const data = new Uint8Array(18);
  for (let i = 0; i < 6; i++) data[i * 3] = i;
  return { width: 3, height: 2, data };
}

function reds(image: RgbImage): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < image.height; y++) {
    rows.push(Array.from({ length: image.width }, (_, x) => image.data[(y * image.width + x) * 3]));
  }
  return rows;
}

Deno.test("each EXIF orientation shows the stored pixels as a viewer would", () => {
  // Stored: [0 1 2] / [3 4 5]
  const expected: Record<ExifOrientation, number[][]> = {
    1: [[0, 1, 2], [3, 4, 5]],
    2: [[2, 1, 0], [5, 4, 3]],
    3: [[5, 4, 3], [2, 1, 0]],
    4: [[3, 4, 5], [0, 1, 2]],
    5: [[0, 3], [1, 4], [2, 5]],
    6: [[3, 0], [4, 1], [5, 2]],
    7: [[5, 2], [4, 1], [3, 0]],
    8: [[2, 5], [1, 4], [0, 3]],
  };
  for (const [orientation, rows] of Object.entries(expected)) {
    const shown = applyExifOrientation(numbered(), Number(orientation) as ExifOrientation);
    assert.deepEqual(reds(shown), rows, `orientation ${orientation}`);
  }
});

Deno.test("the orientation written into a JPEG is read back; none means upright", () => {
  const jpeg = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(90) });
  assert.equal(readExifOrientation(jpeg), 1);
  for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8] as ExifOrientation[]) {
    assert.equal(readExifOrientation(withExifOrientation(jpeg, orientation)), orientation);
  }
});

Deno.test("a malformed EXIF block is ignored rather than trusted", () => {
  const jpeg = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3) });
  const tagged = withExifOrientation(jpeg, 6);
  const broken = tagged.slice();
  broken[2 + 4 + 6] = 0x00; // byte order mark of the TIFF header
  assert.equal(readExifOrientation(broken), 1);
  const outOfRange = tagged.slice();
  outOfRange[2 + 4 + 6 + 19] = 9; // orientation value 9 does not exist
  assert.equal(readExifOrientation(outOfRange), 1);
});

Deno.test("readExifOrientation never throws and returns 1–8 on arbitrary bytes (10,000 cases)", () => {
  const jpeg = encodeJpeg({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3) });
  const tagged = withExifOrientation(jpeg, 3);
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 96 }),
      fc.nat(60),
      fc.boolean(),
      (noise, at, splice) => {
        // Either raw noise after SOI, or the real EXIF block with noise spliced into it.
        const bytes = splice
          ? Uint8Array.from([...tagged.subarray(0, at), ...noise, ...tagged.subarray(at, 80)])
          : Uint8Array.from([0xff, 0xd8, ...noise]);
        const orientation = readExifOrientation(bytes);
        return Number.isInteger(orientation) && orientation >= 1 && orientation <= 8;
      },
    ),
    { numRuns: 10_000 },
  );
});
