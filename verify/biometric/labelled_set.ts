/**
 * The labelled evaluation set of the face match (used by `bench/face_bench.ts`; origins and
 * licences in `docs/biometrics.md`):
 *
 * - Public-domain people shipped in `fixtures/`: Eileen Collins (NASA) and Grace Hopper (US Navy):
 *   JPEG 2000 passport portraits (413×531 colour at ~15 KB and ~5 KB, 240×320 greyscale at
 *   ~7.5 KB) against selfies derived from the source photo with other crops, tilts, lighting,
 *   mirroring, greyscale, low resolution and an EXIF-rotated JPEG.
 * - The ICAO/BSI specimen portrait of the shared vectors (when present), with selfies derived alike.
 * - Impostors only: the 22 faces of the 6 group photos in `@vladmandic/face-api`'s `demo/` folder
 *   (read from node_modules, never copied). Only pairs that are certainly different people are
 *   labelled: faces of one photo against each other, and any of them against the portraits.
 * - Genuine pairs from DIFFERENT photos, read in place when on the machine, never copied, with
 *   chip-like JPEG 2000 portraits: 4 people of KPhotoAlbum's demo album (`album_people.ts`, Debian
 *   `kphotoalbum`, GPL-2+) and 4 actors of dlib's example collage (`collage_people.ts`, Debian
 *   `libdlib19.1`).
 */
import { decodeImage, encodeJpeg, type RgbImage } from "./image_decode.ts";
import { cropAndResize, type Rect } from "./image_ops.ts";
import { withExifOrientation } from "./image_orientation.ts";
import { readFixture, TEST_PEOPLE, type TestPerson } from "./fixtures.ts";
import { deriveSelfie, PLAIN_SELFIE, type SelfieVariant } from "./synthetic_faces.ts";
import { readVector } from "../vectors_test_support.ts";
import { albumImages } from "./fixtures/album_people.ts";
import { collageImages } from "./fixtures/collage_people.ts";

/** One image of the set. */
export interface LabelledImage {
  /** Short unique name, e.g. `collins/portrait/collins_portrait_413x531.jp2`. */
  id: string;
  /** Identity label; demo faces are `demo:<photo>:<index>`. */
  person: string;
  /** "portrait" (chip-like) or "selfie". */
  role: "portrait" | "selfie";
  /** Encoded bytes (JP2/J2K/JPEG), as the verifier receives them. */
  bytes: Uint8Array;
}

/** A labelled pair: `genuine` when both images show the same person. */
export interface LabelledPair {
  a: LabelledImage;
  b: LabelledImage;
  genuine: boolean;
  /** Which group the pair belongs to, for per-group statistics. */
  group: string;
  /** True when the two images come from different photos (not one photo's derived copies). */
  differentPhotos: boolean;
}

/** The selfie variants derived from every source photo. */
export const SELFIE_VARIANTS: Record<string, SelfieVariant> = {
  plain: PLAIN_SELFIE,
  wide_shifted: { ...PLAIN_SELFIE, framing: 3.4, shift: 0.25 },
  tilted_12deg: { ...PLAIN_SELFIE, tiltDegrees: 12 },
  dark: { ...PLAIN_SELFIE, gain: 0.55, offset: -5 },
  bright: { ...PLAIN_SELFIE, gain: 1.25, offset: 25 },
  mirrored_grey: { ...PLAIN_SELFIE, mirror: true, greyscale: true },
  low_res_tilted: { ...PLAIN_SELFIE, width: 200, tiltDegrees: -8 },
};

/** Face boxes of the 22 faces in face-api's demo photos `sample1.jpg`…`sample6.jpg` (measured once). */
const DEMO_FACES: Rect[][] = [
  [[414, 355, 178, 238], [838, 421, 187, 227], [1476, 200, 203, 241]],
  [[361, 127, 153, 258], [901, 218, 151, 235], [1447, 153, 193, 243]],
  [[585, 329, 199, 271], [1075, 215, 221, 299], [1514, 292, 170, 279]],
  [[257, 184, 162, 246], [664, 52, 187, 258], [988, 180, 169, 228], [1277, 144, 145, 243]],
  [[377, 859, 172, 300], [597, 415, 167, 249], [787, 109, 156, 212], [1112, 198, 159, 237], [
    1406,
    390,
    166,
    270,
  ]],
  [[250, 467, 210, 291], [681, 321, 159, 306], [1181, 305, 188, 280], [1487, 263, 212, 294]],
].map((photo) => photo.map(([x, y, width, height]) => ({ x, y, width, height })));

function selfiesOf(person: string, source: RgbImage, face: Rect): LabelledImage[] {
  const selfies: LabelledImage[] = [];
  for (const [name, variant] of Object.entries(SELFIE_VARIANTS)) {
    const jpeg = encodeJpeg(deriveSelfie(source, face, variant).image, 85);
    selfies.push({ id: `${person}/selfie/${name}`, person, role: "selfie", bytes: jpeg });
  }
  // A phone that stores the sensor sideways: pixels turned a quarter anticlockwise, EXIF 6.
  const upright = deriveSelfie(source, face, PLAIN_SELFIE).image;
  const sideways = encodeJpeg(quarterTurnAnticlockwise(upright), 85);
  const rotated = withExifOrientation(sideways, 6);
  selfies.push({ id: `${person}/selfie/exif_rotated`, person, role: "selfie", bytes: rotated });
  return selfies;
}

/** Turns pixels 90° anticlockwise (what EXIF orientation 6 then turns back). */
export function quarterTurnAnticlockwise(image: RgbImage): RgbImage {
  const { width: w, height: h } = image;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < h; x++) {
      const from = (x * w + (w - 1 - y)) * 3;
      data.set(image.data.subarray(from, from + 3), (y * h + x) * 3);
    }
  }
  return { width: h, height: w, data };
}

async function publicDomainImages(): Promise<LabelledImage[]> {
  const images: LabelledImage[] = [];
  for (const person of Object.keys(TEST_PEOPLE) as TestPerson[]) {
    const fixture = TEST_PEOPLE[person];
    for (const name of fixture.portraits) {
      images.push({
        id: `${person}/portrait/${name}`,
        person,
        role: "portrait",
        bytes: await readFixture(name),
      });
    }
    const source = await decodeImage(await readFixture(fixture.source));
    images.push(...selfiesOf(person, source, fixture.face));
  }
  return images;
}

/** The specimen portrait's face box in the 413×531 image (measured once with the engine). */
const SPECIMEN_FACE: Rect = { x: 59, y: 173, width: 318, height: 270 };

async function specimenImages(): Promise<LabelledImage[]> {
  const bytes = readVector("dg2-samples/ICAO_39794_5_AP_Face.jp2");
  const portrait: LabelledImage = {
    id: "specimen/portrait/ICAO_39794_5_AP_Face.jp2",
    person: "specimen",
    role: "portrait",
    bytes,
  };
  return [portrait, ...selfiesOf("specimen", await decodeImage(bytes), SPECIMEN_FACE)];
}

async function demoImages(): Promise<LabelledImage[]> {
  const packageDir = import.meta.resolve("@vladmandic/face-api/model/").replace(/model\/?$/, "");
  const demoDir = new URL("demo/", packageDir);
  const images: LabelledImage[] = [];
  for (const [p, faces] of DEMO_FACES.entries()) {
    const photo = await decodeImage(await Deno.readFile(new URL(`sample${p + 1}.jpg`, demoDir)));
    faces.forEach((face, i) => {
      const side = face.height * 1.8;
      const rect = {
        x: face.x + face.width / 2 - side / 2,
        y: face.y + face.height / 2 - side / 2,
        width: side,
        height: side,
      };
      const bytes = encodeJpeg(cropAndResize(photo, rect, 320, 320), 85);
      images.push({
        id: `demo/sample${p + 1}/face${i}`,
        person: `demo:${p + 1}:${i}`,
        role: "selfie",
        bytes,
      });
    });
  }
  return images;
}

/** Builds every image and the labelled pairs. */
export async function buildLabelledSet(): Promise<
  { images: LabelledImage[]; pairs: LabelledPair[] }
> {
  const labelled = [...await publicDomainImages(), ...await specimenImages()];
  const album = [...await albumImages(), ...await collageImages()];
  const demo = await demoImages();
  const portraits = labelled.filter((i) => i.role === "portrait");
  const selfies = labelled.filter((i) => i.role === "selfie");
  const pairs: LabelledPair[] = [];
  for (const a of portraits) {
    for (const b of selfies) {
      const genuine = a.person === b.person;
      const group = genuine ? `genuine ${a.person}` : "impostor public-domain/specimen";
      // Crossed pairs come from two photos; genuine ones are copies derived from one photo.
      pairs.push({ a, b, genuine, group, differentPhotos: !genuine });
    }
    for (const b of demo) {
      pairs.push({
        a,
        b,
        genuine: false,
        group: "impostor demo vs portrait",
        differentPhotos: true,
      });
    }
  }
  for (const [i, a] of demo.entries()) {
    for (const b of demo.slice(i + 1)) {
      // Two faces of the same group photo are certainly two people; across photos we do not know.
      if (a.person.split(":")[1] === b.person.split(":")[1]) {
        pairs.push({
          a,
          b,
          genuine: false,
          group: "impostor demo same photo",
          differentPhotos: false,
        });
      }
    }
  }
  pairs.push(...albumPairs(album, portraits, selfies));
  return { images: [...labelled, ...album, ...demo], pairs };
}

/** Which different-photo source an image comes from: "album" or "collage". */
function sourceOf(image: LabelledImage): string {
  return image.person.split("_")[0];
}

/**
 * Different-photo pairs: a portrait from one photo against a selfie from ANOTHER photo (same
 * person: genuine; another person of the album or the collage: impostor, they are certainly 8
 * different people), and these people against the public-domain/specimen set. They are never
 * paired with face-api's demo faces: nobody knows who those are.
 */
function albumPairs(
  album: LabelledImage[],
  otherPortraits: LabelledImage[],
  otherSelfies: LabelledImage[],
): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  const photoOf = (image: LabelledImage) => image.id.split("/")[2];
  const crossGroup = (a: LabelledImage, b: LabelledImage) => {
    const sources = [sourceOf(a), sourceOf(b)].sort();
    return sources[0] === sources[1]
      ? `impostor ${sources[0]} people`
      : `impostor ${sources[0]} vs ${sources[1]}`;
  };
  for (const a of album.filter((i) => i.role === "portrait")) {
    for (const b of album.filter((i) => i.role === "selfie")) {
      if (photoOf(a) === photoOf(b)) continue; // one photo: derived copies, or neighbours in it
      const genuine = a.person === b.person;
      const group = genuine ? `genuine different photos ${a.person}` : crossGroup(a, b);
      pairs.push({ a, b, genuine, group, differentPhotos: true });
    }
    for (const b of otherSelfies) {
      const group = `impostor ${sourceOf(a)} vs others`;
      pairs.push({ a, b, genuine: false, group, differentPhotos: true });
    }
  }
  for (const a of otherPortraits) {
    for (const b of album.filter((i) => i.role === "selfie")) {
      const group = `impostor ${sourceOf(b)} vs others`;
      pairs.push({ a, b, genuine: false, group, differentPhotos: true });
    }
  }
  return pairs;
}
