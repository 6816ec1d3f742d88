/**
 * Derives selfie-like images and head-pose frames from one still photo, for tests, the benchmark
 * and test mode (the reference phone client has no camera).
 *
 * Honesty note: a "turned head" made here is a cylindrical warp of a frontal photo — the face is
 * wrapped on a cylinder and the cylinder turned. It moves the landmarks the way a real yaw or pitch
 * does, but it is not a real head turn (no self-occlusion, no nose parallax). It proves the
 * liveness logic (order, pose classification, same face, static replay) — not how well the pose
 * thresholds work on real people. See `docs/biometrics.md`.
 */
import type { RgbImage } from "./image_decode.ts";
import {
  adjustLevels,
  cropAndResize,
  flipHorizontal,
  type Rect,
  remap,
  rotateAbout,
  toGreyscale,
} from "./image_ops.ts";
import type { Pose } from "./types.ts";

/** How a selfie is derived from a source photo. */
export interface SelfieVariant {
  /** Scale of the crop around the face: 2 = the crop is twice the face box's height. */
  framing: number;
  /** Horizontal shift of the face within the crop, as a fraction of the face width. */
  shift: number;
  /** In-plane head tilt, degrees (clockwise on screen). */
  tiltDegrees: number;
  /** Lighting: multiplies samples. */
  gain: number;
  /** Lighting: adds to samples. */
  offset: number;
  /** Mirrors the picture as many front cameras do. */
  mirror: boolean;
  /** Drops colour. */
  greyscale: boolean;
  /** Output width; the height is 4/3 of it (portrait phone frame). */
  width: number;
}

/** A plain, well-lit, upright selfie framing. */
export const PLAIN_SELFIE: SelfieVariant = {
  framing: 2.4,
  shift: 0,
  tiltDegrees: 0,
  gain: 1,
  offset: 0,
  mirror: false,
  greyscale: false,
  width: 480,
};

/** A derived selfie and where the face lies in it (approximately: tilt is ignored). */
export interface DerivedSelfie {
  image: RgbImage;
  face: Rect;
}

/** Crops, tilts, relights and rescales a source photo around a face box into a selfie frame. */
export function deriveSelfie(source: RgbImage, face: Rect, variant: SelfieVariant): DerivedSelfie {
  const cx = face.x + face.width / 2, cy = face.y + face.height / 2;
  const tilted = variant.tiltDegrees === 0
    ? source
    : rotateAbout(source, (variant.tiltDegrees * Math.PI) / 180, cx, cy);
  const cropHeight = face.height * variant.framing;
  const rect = {
    x: cx - (cropHeight * 3) / 8 - variant.shift * face.width,
    y: cy - cropHeight * 0.45,
    width: (cropHeight * 3) / 4,
    height: cropHeight,
  };
  const height = Math.round((variant.width * 4) / 3);
  let image = cropAndResize(tilted, rect, variant.width, height);
  if (variant.gain !== 1 || variant.offset !== 0) {
    image = adjustLevels(image, variant.gain, variant.offset);
  }
  if (variant.greyscale) image = toGreyscale(image);
  const scale = variant.width / rect.width;
  const box = {
    x: (face.x - rect.x) * scale,
    y: (face.y - rect.y) * scale,
    width: face.width * scale,
    height: face.height * scale,
  };
  if (!variant.mirror) return { image, face: box };
  return { image: flipHorizontal(image), face: { ...box, x: variant.width - box.x - box.width } };
}

/** Turn angle of a synthesised pose, radians. */
const POSE_ANGLE = (30 * Math.PI) / 180;

/**
 * Synthesises a head pose by a cylindrical warp around the face. Yaw "left" means the subject's own
 * left: in an unmirrored picture the nose moves towards the image's right edge.
 */
export function synthesisePose(image: RgbImage, face: Rect, pose: Pose): RgbImage {
  if (pose === "centre") return image;
  const horizontal = pose === "left" || pose === "right";
  const sign = pose === "left" || pose === "down" ? 1 : -1;
  const radius = (horizontal ? face.width : face.height) * 0.8;
  const centre = horizontal ? face.x + face.width / 2 : face.y + face.height / 2;
  const warp = (t: number) => cylinderSource(t, centre, radius, sign * POSE_ANGLE);
  return remap(
    image,
    image.width,
    image.height,
    (x, y) => horizontal ? [warp(x), y] : [x, warp(y)],
  );
}

/** For an output coordinate, the source coordinate of a cylinder of `radius` turned by `angle`. */
function cylinderSource(t: number, centre: number, radius: number, angle: number): number {
  const onCylinder = (u: number) => {
    const sourceAngle = Math.max(-Math.PI / 2, Math.min(Math.PI / 2, Math.asin(u) - angle));
    return centre + radius * Math.sin(sourceAngle);
  };
  const u = (t - centre) / radius;
  // Beyond the cylinder the background is shifted so that it joins the warped part seamlessly.
  if (u >= 1) return t + onCylinder(1) - (centre + radius);
  if (u <= -1) return t + onCylinder(-1) - (centre - radius);
  return onCylinder(u);
}
