import assert from "node:assert/strict";
import {
  decodeImage,
  decodeJpeg,
  downscaleToFit,
  encodeJpeg,
  ImageDecodeError,
  sniffImageFormat,
} from "./image_decode.ts";
import { readFixture } from "./fixtures.ts";
import { readVector } from "../vectors_test_support.ts";

Deno.test("formats are found by magic bytes", async () => {
  assert.equal(sniffImageFormat(await readFixture("collins_source.jpg")), "jpeg");
  assert.equal(sniffImageFormat(await readFixture("collins_portrait_413x531.jp2")), "jp2");
  assert.equal(sniffImageFormat(await readFixture("hopper_portrait_240x320_grey.j2k")), "j2k");
  assert.equal(sniffImageFormat(new TextEncoder().encode("GIF89a")), null);
  assert.equal(sniffImageFormat(new Uint8Array()), null);
});

Deno.test("a colour JP2 portrait decodes at its passport size", async () => {
  const image = await decodeImage(await readFixture("collins_portrait_413x531.jp2"));
  assert.equal(image.width, 413);
  assert.equal(image.height, 531);
  assert.equal(image.data.length, 413 * 531 * 3);
  // A colour portrait: somewhere the three channels differ (skin, suit).
  let coloured = 0;
  for (let i = 0; i < image.data.length; i += 3) {
    if (Math.abs(image.data[i] - image.data[i + 2]) > 30) coloured++;
  }
  assert.ok(coloured > 1000);
});

Deno.test("greyscale JPEG 2000 (JP2 and bare J2K) is expanded to equal R, G and B", async () => {
  for (const name of ["collins_portrait_240x320_grey.jp2", "hopper_portrait_240x320_grey.j2k"]) {
    const image = await decodeImage(await readFixture(name));
    assert.equal(image.width, 240, name);
    assert.equal(image.height, 320, name);
    for (let i = 0; i < image.data.length; i += 3 * 97) {
      assert.equal(image.data[i], image.data[i + 1]);
      assert.equal(image.data[i], image.data[i + 2]);
    }
  }
});

Deno.test({
  name: "the ICAO 39794-5 sample portrait (JP2, shared vectors) decodes at 413×531",
  async fn() {
    const image = await decodeImage(readVector("dg2-samples/ICAO_39794_5_AP_Face.jp2"));
    assert.deepEqual([image.width, image.height], [413, 531]);
  },
});

Deno.test("corrupt and unknown images fail with stable codes", async () => {
  await assert.rejects(
    () => decodeImage(new Uint8Array([1, 2, 3, 4])),
    (e) => e instanceof ImageDecodeError && e.code === "image_format_unsupported",
  );
  const jp2 = await readFixture("collins_portrait_413x531.jp2");
  await assert.rejects(
    () => decodeImage(jp2.subarray(0, 60)),
    (e) => e instanceof ImageDecodeError && e.code === "image_corrupt",
  );
  assert.throws(
    () => decodeJpeg(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9])),
    (e) => e instanceof ImageDecodeError && e.code === "image_corrupt",
  );
});

Deno.test("JPEG round trip keeps size and colour approximately", () => {
  const data = new Uint8Array(16 * 16 * 3);
  for (let i = 0; i < data.length; i += 3) data.set([200, 40, 90], i);
  const back = decodeJpeg(encodeJpeg({ width: 16, height: 16, data }, 95));
  assert.deepEqual([back.width, back.height], [16, 16]);
  assert.ok(Math.abs(back.data[0] - 200) < 8 && Math.abs(back.data[1] - 40) < 8);
});

Deno.test("downscaleToFit averages blocks and keeps the aspect ratio", () => {
  const data = new Uint8Array(4 * 2 * 3);
  // Left half black, right half white.
  for (let y = 0; y < 2; y++) {
    for (let x = 2; x < 4; x++) data.fill(255, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
  }
  const small = downscaleToFit({ width: 4, height: 2, data }, 2);
  assert.deepEqual([small.width, small.height], [2, 1]);
  assert.deepEqual(Array.from(small.data), [0, 0, 0, 255, 255, 255]);
  const same = { width: 3, height: 3, data: new Uint8Array(27) };
  assert.equal(downscaleToFit(same, 10), same);
});
