/**
 * Public-domain faces shipped with the repository (see `fixtures/README.md`), for test mode and
 * tests: the synthetic passport's DG2 portrait, matching selfies and pose frames for the reference
 * phone client, and a different person for the "another person's face" scenario.
 *
 * - "collins": Eileen Collins, NASA astronaut portrait (NASA photo, public domain), as shipped in
 *   scikit-image's `astronaut.png` (Debian `python3-skimage`).
 * - "hopper": Grace Hopper, US Navy portrait (US Navy photo, public domain), as shipped in
 *   matplotlib's `grace_hopper.jpg` (Debian `python-matplotlib-data`).
 */
import { decodeImage, encodeJpeg } from "./image_decode.ts";
import type { Rect } from "./image_ops.ts";
import {
  deriveSelfie,
  PLAIN_SELFIE,
  type SelfieVariant,
  synthesisePose,
} from "./synthetic_faces.ts";
import type { PoseChallenge } from "./types.ts";

/** The people of the shipped fixtures. */
export type TestPerson = "collins" | "hopper";

interface PersonFixture {
  /** The full source photo (JPEG). */
  source: string;
  /** The face box in the source photo, measured once with the face engine. */
  face: Rect;
  /** Passport-style portraits derived from the source (JPEG 2000). */
  portraits: string[];
}

/** Where each person's files are and where the face lies in the source photo. */
export const TEST_PEOPLE: Record<TestPerson, PersonFixture> = {
  collins: {
    source: "collins_source.jpg",
    face: { x: 164, y: 76, width: 116, height: 110 },
    portraits: [
      "collins_portrait_413x531.jp2",
      "collins_portrait_413x531_high_compression.jp2",
      "collins_portrait_240x320_grey.jp2",
    ],
  },
  hopper: {
    source: "hopper_source.jpg",
    face: { x: 142, y: 139, width: 242, height: 210 },
    portraits: ["hopper_portrait_413x531.jp2", "hopper_portrait_240x320_grey.j2k"],
  },
};

/** Reads one file of `verify/biometric/fixtures/`. */
export function readFixture(name: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(`./fixtures/${name}`, import.meta.url));
}

/** The synthetic passport's DG2 portrait: Eileen Collins, JPEG 2000, 413×531 (about 15 KB). */
export function loadTestPortrait(person: TestPerson = "collins"): Promise<Uint8Array> {
  return readFixture(TEST_PEOPLE[person].portraits[0]);
}

/** The same portrait as a JPEG (for documents whose DG2 carries JPEG). */
export async function loadTestPortraitJpeg(person: TestPerson = "collins"): Promise<Uint8Array> {
  const image = await decodeImage(await loadTestPortrait(person));
  return encodeJpeg(image, 90);
}

/** A selfie JPEG of the person, derived from a different crop and scale than the portrait. */
export async function loadTestSelfie(
  person: TestPerson = "collins",
  variant: SelfieVariant = PLAIN_SELFIE,
): Promise<Uint8Array> {
  const fixture = TEST_PEOPLE[person];
  const source = await decodeImage(await readFixture(fixture.source));
  return encodeJpeg(deriveSelfie(source, fixture.face, variant).image, 88);
}

/** "Another person's face": a selfie of Grace Hopper, never matching the Collins portrait. */
export function loadOtherPersonSelfie(): Promise<Uint8Array> {
  return loadTestSelfie("hopper");
}

/**
 * Selfie frames that follow a pose challenge (one JPEG per pose), made by warping one photo: good
 * enough for test mode and for the pipeline's logic, not a real head turn (see synthetic_faces.ts).
 */
export async function makeTestPoseFrames(
  challenge: PoseChallenge,
  person: TestPerson = "collins",
): Promise<Uint8Array[]> {
  const fixture = TEST_PEOPLE[person];
  const source = await decodeImage(await readFixture(fixture.source));
  const selfie = deriveSelfie(source, fixture.face, PLAIN_SELFIE);
  return challenge.poses.map((pose, i) =>
    // Slightly different quality per frame: real frames never repeat byte for byte.
    encodeJpeg(synthesisePose(selfie.image, selfie.face, pose), 86 + (i % 4))
  );
}
