/**
 * Genuine and impostor pairs from DIFFERENT press photos of 4 actors (dlib's example collage, read
 * in place, see `fixtures/collage_people.ts`), with chip-like JPEG 2000 portraits. The engine tests
 * are skipped when the collage is not on this machine: run `fixtures/fetch_face_sets.sh` first.
 */
import assert from "node:assert/strict";
import {
  COLLAGE_FILE,
  COLLAGE_PEOPLE,
  collageDir,
  collageImages,
  collagePortrait,
  collageSelfie,
  keepOnly,
  ownTile,
} from "./fixtures/collage_people.ts";
import {
  canEncodeJpeg2000,
  encodePassportPortrait,
  PORTRAIT_FORMATS,
} from "./fixtures/passport_portrait.ts";
import { decodeImage, encodeJpeg, type RgbImage, sniffImageFormat } from "./image_decode.ts";
import { createLocalBiometricVerifier } from "./local_verifier.ts";

const dir = collageDir();
const noCollage = dir === null;
let collage: RgbImage | null = null;

async function readCollage(): Promise<RgbImage> {
  collage ??= await decodeImage(await Deno.readFile(`${dir}/${COLLAGE_FILE}`));
  return collage;
}

/** Portrait of one person's photo `p` (413×531 JP2 ~15 KB) and selfie of their photo `s`. */
async function pair(portraitOf: [string, number], selfieOf: [string, number]) {
  const image = await readCollage();
  const face = ([person, n]: [string, number]) => COLLAGE_PEOPLE[person][n];
  return {
    portrait: await encodePassportPortrait(
      collagePortrait(image, face(portraitOf)),
      PORTRAIT_FORMATS[0],
    ),
    selfie: encodeJpeg(collageSelfie(image, face(selfieOf)), 85),
  };
}

Deno.test("collage labels: 4 people, 6 faces each, no face box used twice", () => {
  assert.equal(Object.keys(COLLAGE_PEOPLE).length, 4);
  const seen = new Set<string>();
  for (const faces of Object.values(COLLAGE_PEOPLE)) {
    assert.equal(faces.length, 6);
    for (const f of faces) {
      const key = `${f.x},${f.y}`;
      assert.ok(!seen.has(key), `face box ${key} is labelled twice`);
      seen.add(key);
    }
  }
});

Deno.test("keepOnly paints everything outside the kept rectangle a flat grey", () => {
  const image: RgbImage = { width: 4, height: 2, data: new Uint8Array(24).fill(7) };
  const kept = keepOnly(image, { x: 1, y: 0, width: 2, height: 1 });
  assert.deepEqual([...kept.data.subarray(0, 12)], [
    190,
    190,
    190,
    7,
    7,
    7,
    7,
    7,
    7,
    190,
    190,
    190,
  ]);
  assert.ok(kept.data.subarray(12).every((v) => v === 190));
  // The kept tile grows around the face box to take in the head.
  const tile = ownTile({ x: 100, y: 100, width: 100, height: 100 });
  assert.ok(tile.x < 100 && tile.y < 100 && tile.width > 100 && tile.height > 100);
});

Deno.test({
  name: "without the collage there are no collage images",
  async fn() {
    assert.deepEqual(await collageImages(null), []);
  },
});

Deno.test({
  name: "collage portraits are JPEG 2000 at passport sizes when opj_compress is installed",
  ignore: noCollage,
  async fn() {
    const images = await collageImages();
    assert.equal(images.length, 48);
    const portraits = images.filter((i) => i.role === "portrait");
    const formats = new Set(portraits.map((p) => sniffImageFormat(p.bytes)));
    if (await canEncodeJpeg2000()) {
      assert.deepEqual([...formats].sort(), ["j2k", "jp2"]);
      for (const p of portraits) assert.ok(p.bytes.length < 20_000, `${p.id}: ${p.bytes.length} B`);
    } else {
      assert.deepEqual([...formats], ["jpeg"]);
    }
  },
});

Deno.test({
  name: "a genuine pair from two different press photos matches at adult thresholds",
  ignore: noCollage,
  async fn() {
    const verifier = await createLocalBiometricVerifier();
    const result = await verifier.compareFaces(await pair(["collage_a", 0], ["collage_a", 5]));
    assert.deepEqual(result, { decision: "match", reason: "face_match" });
  },
});

Deno.test({
  name: "two different bald actors, frontal in both photos, do not match",
  ignore: noCollage,
  async fn() {
    const verifier = await createLocalBiometricVerifier();
    const result = await verifier.compareFaces(await pair(["collage_b", 3], ["collage_a", 0]));
    assert.deepEqual(result, { decision: "no_match", reason: "face_mismatch" });
  },
});
