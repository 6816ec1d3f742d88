/**
 * Genuine pairs made from two DIFFERENT photos of one person (not derived copies of one photo),
 * from KPhotoAlbum's demo album, read in place (see `fixtures/album_people.ts`). The engine tests
 * are skipped when the album is not on this machine: run `fixtures/fetch_face_sets.sh` first.
 */
import assert from "node:assert/strict";
import {
  ALBUM_PEOPLE,
  albumDir,
  albumImages,
  albumPortrait,
  albumSelfie,
  readAlbumPhoto,
} from "./fixtures/album_people.ts";
import { encodeJpeg } from "./image_decode.ts";
import { buildLabelledSet } from "./labelled_set.ts";
import { collageDir } from "./fixtures/collage_people.ts";
import { createLocalBiometricVerifier } from "./local_verifier.ts";

const dir = albumDir();
const noAlbum = dir === null;

/** The portrait of one album photo and the selfie of another, as the verifier receives them. */
async function pair(
  portraitOf: [string, string],
  selfieOf: [string, string],
): Promise<{ portrait: Uint8Array; selfie: Uint8Array }> {
  const find = ([person, photo]: [string, string]) => {
    const entry = ALBUM_PEOPLE[person].find((e) => e.photo === photo);
    if (!entry) throw new Error(`no ${person} in ${photo}`);
    return entry;
  };
  const a = find(portraitOf), b = find(selfieOf);
  const portrait = albumPortrait(await readAlbumPhoto(dir!, a), a.face);
  const selfie = albumSelfie(await readAlbumPhoto(dir!, b), b.face);
  return { portrait: encodeJpeg(portrait, 80), selfie: encodeJpeg(selfie, 85) };
}

Deno.test("without the album there are no album images", async () => {
  assert.deepEqual(await albumImages(null), []);
});

Deno.test("every album person has at least 2 different photos; 4 people", () => {
  assert.equal(Object.keys(ALBUM_PEOPLE).length, 4);
  for (const faces of Object.values(ALBUM_PEOPLE)) {
    assert.ok(new Set(faces.map((f) => f.photo)).size >= 2);
    assert.equal(new Set(faces.map((f) => f.photo)).size, faces.length);
  }
});

Deno.test({
  name: "labelled set: different-photo genuine pairs never come from one photo",
  ignore: noAlbum,
  async fn() {
    const { pairs } = await buildLabelledSet();
    const genuine = pairs.filter((p) => p.genuine && p.differentPhotos);
    // album_a 5×4 + album_b 3×2 + album_c 2×1 + album_d 2×1 ordered portrait/selfie pairs, and
    // 6×5 for each of the 4 collage people when dlib's examples are there too.
    assert.equal(genuine.length, 30 + (collageDir() === null ? 0 : 4 * 6 * 5));
    for (const p of genuine) {
      assert.equal(p.a.person, p.b.person);
      assert.notEqual(p.a.id.split("/")[2], p.b.id.split("/")[2]);
      assert.equal(p.a.role, "portrait");
      assert.equal(p.b.role, "selfie");
    }
  },
});

Deno.test({
  name: "a genuine pair from two different photos (conference vs bar) matches at adult thresholds",
  ignore: noAlbum,
  async fn() {
    const verifier = await createLocalBiometricVerifier();
    const input = await pair(["album_a", "qt-logo.jpg"], ["album_a", "bar55_2.jpg"]);
    const result = await verifier.compareFaces(input);
    assert.deepEqual(result, { decision: "match", reason: "face_match" });
    // The same two photos the other way round (portrait from the bar, selfie from the conference).
    const reverse = await pair(["album_a", "bar55_2.jpg"], ["album_a", "qt-logo.jpg"]);
    assert.deepEqual(await verifier.compareFaces(reverse), {
      decision: "match",
      reason: "face_match",
    });
  },
});

Deno.test({
  name: "two different people of the album, from different photos, do not match",
  ignore: noAlbum,
  async fn() {
    const verifier = await createLocalBiometricVerifier();
    const input = await pair(["album_a", "qt-logo.jpg"], ["album_b", "anne_helene.jpg"]);
    assert.deepEqual(await verifier.compareFaces(input), {
      decision: "no_match",
      reason: "face_mismatch",
    });
    const men = await pair(["album_c", "qt-logo.jpg"], ["album_a", "jesper_2.jpg"]);
    assert.deepEqual(await verifier.compareFaces(men), {
      decision: "no_match",
      reason: "face_mismatch",
    });
  },
});
