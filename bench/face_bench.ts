/**
 * Face match benchmark: score distributions on the labelled set, false accept / reject rates at
 * the policy's thresholds, per-compare latency (cold and warm), liveness latency and memory.
 * Run alone with `deno task bench:face`, or as a section of `deno task bench`.
 *
 * Distances are printed here on purpose: this runs on shipped fixtures only, never on user data.
 */
import { type BenchSection, median, percentile, round } from "./section.ts";
import { decodeImage } from "../verify/biometric/image_decode.ts";
import { loadFaceEngine } from "../verify/biometric/face_engine.ts";
import {
  ADULT_THRESHOLDS,
  CHILD_THRESHOLDS,
  embeddingDistance,
  type FaceThresholds,
  judgeDistance,
} from "../verify/biometric/face_policy.ts";
import { buildLabelledSet, type LabelledPair } from "../verify/biometric/labelled_set.ts";
import { createLocalBiometricVerifier } from "../verify/biometric/local_verifier.ts";
import { issuePoseChallenge } from "../verify/biometric/pose_challenge.ts";
import { albumDir } from "../verify/biometric/fixtures/album_people.ts";
import { collageDir } from "../verify/biometric/fixtures/collage_people.ts";
import { portraitEncoding } from "../verify/biometric/fixtures/passport_portrait.ts";
import {
  loadTestPortrait,
  loadTestSelfie,
  makeTestPoseFrames,
} from "../verify/biometric/fixtures.ts";

type Row = Record<string, string | number>;

const WARM_COMPARES = 10;

/** Runs the face benchmark and returns its section. */
export async function bench(): Promise<BenchSection> {
  const coldStart = performance.now();
  const verifier = await createLocalBiometricVerifier();
  const portrait = await loadTestPortrait();
  const selfie = await loadTestSelfie();
  await verifier.compareFaces({ portrait, selfie });
  const coldMs = performance.now() - coldStart;
  const rssAfterFirstCompare = Deno.memoryUsage().rss;

  const warm = await timeCompares(verifier, portrait, selfie);
  const decodeFloor = await timeDecodes(portrait, selfie);
  const livenessMs = await timeLiveness(verifier, portrait);
  const { pairs, distances, images } = await scoreLabelledSet();

  const rows: Row[] = [
    ...distributionRows(pairs, distances),
    ...rateRows("adult", ADULT_THRESHOLDS, pairs, distances),
    ...rateRows("child", CHILD_THRESHOLDS, pairs, distances),
    ...differentPhotoRows(pairs, distances),
    ...calibrationRows(pairs, distances),
    { measure: "compare cold (model load + first compare)", value: round(coldMs, 0), unit: "ms" },
    {
      measure: `compare warm median of ${WARM_COMPARES}`,
      value: round(median(warm), 0),
      unit: "ms",
    },
    {
      measure: `compare warm p95 of ${WARM_COMPARES}`,
      value: round(percentile(warm, 95), 0),
      unit: "ms",
    },
    {
      measure: "floor: decode JP2 portrait + JPEG selfie",
      value: round(median(decodeFloor), 1),
      unit: "ms",
    },
    { measure: "liveness, 3 frames + portrait", value: round(livenessMs, 0), unit: "ms" },
    ...memoryRows(rssAfterFirstCompare),
  ];
  return {
    title: "Face match (face-api, tfjs wasm, CPU)",
    rows,
    notes: [
      `${images} images, ${pairs.length} labelled pairs (${
        pairs.filter((p) => p.genuine).length
      } genuine).`,
      `Thresholds adult match ≤ ${ADULT_THRESHOLDS.matchAtMost}, no_match ≥ ${ADULT_THRESHOLDS.noMatchAtLeast}; ` +
      `child match ≤ ${CHILD_THRESHOLDS.matchAtMost}, no_match ≥ ${CHILD_THRESHOLDS.noMatchAtLeast}.`,
      "FRR counts inconclusive as rejected (fail closed). Most genuine selfies are derived from the " +
      "same source photo as the portrait; the 'different photos' rows use only pairs of two photos.",
      albumDir() === null
        ? "KPhotoAlbum's demo album is not on this machine: no album pairs. Run " +
          "verify/biometric/fixtures/fetch_face_sets.sh to add them."
        : `Different-photo pairs (album): KPhotoAlbum's demo album, read in place from ${albumDir()}.`,
      collageDir() === null
        ? "dlib's example collage is not on this machine: no collage pairs. Run " +
          "verify/biometric/fixtures/fetch_face_sets.sh to add them."
        : `Different-photo pairs (collage): dlib's bald_guys.jpg, read in place from ${collageDir()}.`,
      `Portraits of the different-photo pairs: ${await portraitEncoding()}.`,
    ],
  };
}

async function timeCompares(
  verifier: Awaited<ReturnType<typeof createLocalBiometricVerifier>>,
  portrait: Uint8Array,
  selfie: Uint8Array,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_COMPARES; i++) {
    const start = performance.now();
    const result = await verifier.compareFaces({ portrait, selfie });
    times.push(performance.now() - start);
    if (result.decision !== "match") throw new Error("benchmark genuine pair did not match");
  }
  return times;
}

async function timeDecodes(portrait: Uint8Array, selfie: Uint8Array): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARM_COMPARES; i++) {
    const start = performance.now();
    await decodeImage(portrait);
    await decodeImage(selfie);
    times.push(performance.now() - start);
  }
  return times;
}

async function timeLiveness(
  verifier: Awaited<ReturnType<typeof createLocalBiometricVerifier>>,
  portrait: Uint8Array,
): Promise<number> {
  const challenge = issuePoseChallenge((n) => crypto.getRandomValues(new Uint8Array(n)));
  const frames = await makeTestPoseFrames(challenge);
  const start = performance.now();
  const result = await verifier.checkLiveness({ portrait, frames, challenge });
  const elapsed = performance.now() - start;
  if (!result.passed) throw new Error(`benchmark liveness frames failed: ${result.reason}`);
  return elapsed;
}

/** Embeds every image once; a pair's distance is then cheap. Missing faces give NaN. */
async function scoreLabelledSet(): Promise<
  { pairs: LabelledPair[]; distances: number[]; images: number }
> {
  const engine = await loadFaceEngine();
  const { images, pairs } = await buildLabelledSet();
  const descriptors = new Map<string, Float32Array | null>();
  for (const image of images) {
    const analysis = await engine.analyse(await decodeImage(image.bytes));
    descriptors.set(image.id, analysis.kind === "one" ? analysis.face.descriptor : null);
  }
  const distances = pairs.map((pair) => {
    const a = descriptors.get(pair.a.id), b = descriptors.get(pair.b.id);
    return a && b ? embeddingDistance(a, b) : NaN;
  });
  return { pairs, distances, images: images.length };
}

function distributionRows(pairs: LabelledPair[], distances: number[]): Row[] {
  const groups = [...new Set(pairs.map((p) => p.group))];
  return groups.map((group) => {
    const values = distances.filter((_, i) => pairs[i].group === group);
    const found = values.filter(Number.isFinite);
    const stats = [0, 5, 50, 95, 100].map((p) => round(percentile(found, p), 3)).join(" / ");
    const missing = values.length - found.length;
    return {
      measure: `distance ${group} (min/p5/median/p95/max)`,
      value: stats,
      unit: `${values.length} pairs${missing ? `, ${missing} without a face` : ""}`,
    };
  });
}

function rateRows(
  label: string,
  thresholds: FaceThresholds,
  pairs: LabelledPair[],
  distances: number[],
): Row[] {
  const verdicts = distances.map((d) => judgeDistance(d, thresholds));
  const genuine = verdicts.filter((_, i) => pairs[i].genuine);
  const impostor = verdicts.filter((_, i) => !pairs[i].genuine);
  const share = (list: string[], v: string) => list.filter((x) => x === v).length;
  const far = share(impostor, "match");
  const frr = genuine.length - share(genuine, "match");
  return [
    {
      measure: `${label} FAR (impostor accepted)`,
      value: `${far}/${impostor.length}`,
      unit: `${pct(far, impostor.length)} %`,
    },
    {
      measure: `${label} FRR (genuine not accepted)`,
      value: `${frr}/${genuine.length}`,
      unit: `${pct(frr, genuine.length)} %`,
    },
    {
      measure: `${label} inconclusive (genuine / impostor)`,
      value: `${share(genuine, "inconclusive")} / ${share(impostor, "inconclusive")}`,
      unit: "pairs",
    },
  ];
}

/**
 * FAR/FRR on pairs of two different photos only (genuine: the album and collage people), then the
 * genuine acceptance of each source alone (the collage's actors may be in the model's training set).
 */
function differentPhotoRows(pairs: LabelledPair[], distances: number[]): Row[] {
  const keep = pairs.map((p) => p.differentPhotos);
  const subset = pairs.filter((_, i) => keep[i]);
  const subsetDistances = distances.filter((_, i) => keep[i]);
  const rows = [
    ...rateRows("adult, different photos", ADULT_THRESHOLDS, subset, subsetDistances),
    ...rateRows("child, different photos", CHILD_THRESHOLDS, subset, subsetDistances),
  ];
  for (const source of ["album", "collage"]) {
    const genuine = distances.filter((_, i) =>
      pairs[i].genuine && pairs[i].differentPhotos && pairs[i].a.person.startsWith(`${source}_`)
    );
    if (genuine.length === 0) continue;
    for (const [label, t] of [["adult", ADULT_THRESHOLDS], ["child", CHILD_THRESHOLDS]] as const) {
      const accepted = genuine.filter((d) => judgeDistance(d, t) === "match").length;
      rows.push({
        measure: `${label} genuine accepted, different photos, ${source} only`,
        value: `${accepted}/${genuine.length}`,
        unit: `${pct(accepted, genuine.length)} %`,
      });
    }
  }
  return rows;
}

/** Candidate match thresholds scanned for calibration (the policy's own are marked). */
const CANDIDATE_THRESHOLDS = [0.4, 0.42, 0.44, 0.45, 0.46, 0.48, 0.5, 0.52, 0.55];

/**
 * What each candidate match threshold would give: genuine different-photo pairs accepted, and the
 * distance from the threshold to the nearest impostor (the safety margin; negative = accepted).
 */
function calibrationRows(pairs: LabelledPair[], distances: number[]): Row[] {
  const impostors = distances.filter((d, i) => !pairs[i].genuine && Number.isFinite(d));
  const nearest = Math.min(...impostors);
  const genuine = distances.filter((_, i) => pairs[i].genuine && pairs[i].differentPhotos);
  const rows: Row[] = [{
    measure: "nearest impostor distance (whole set)",
    value: round(nearest, 3),
    unit: `2nd ${round([...impostors].sort((a, b) => a - b)[1], 3)}`,
  }];
  const belowNearest = genuine.filter((d) => d < nearest).length;
  rows.push({
    measure: "any threshold with 0 false accepts: different-photo genuine accepted at most",
    value: `${belowNearest}/${genuine.length}`,
    unit: `${pct(belowNearest, genuine.length)} % (match < nearest impostor, no margin)`,
  });
  for (const t of CANDIDATE_THRESHOLDS) {
    const mark = t === ADULT_THRESHOLDS.matchAtMost
      ? " (adult)"
      : t === CHILD_THRESHOLDS.matchAtMost
      ? " (child)"
      : "";
    rows.push({
      measure: `if match ≤ ${t}${mark}: different-photo genuine accepted`,
      value: `${genuine.filter((d) => d <= t).length}/${genuine.length}`,
      unit: `margin ${round(nearest - t, 3)}, impostors within +0.1: ${
        impostors.filter((d) => d <= t + 0.1).length
      }`,
    });
  }
  return rows;
}

function pct(n: number, d: number): number {
  return d === 0 ? 0 : round((100 * n) / d, 1);
}

function memoryRows(rssAfterFirstCompare: number): Row[] {
  const memory = Deno.memoryUsage();
  const mb = (bytes: number) => round(bytes / 1024 / 1024, 0);
  return [
    { measure: "memory rss after the first compare", value: mb(rssAfterFirstCompare), unit: "MiB" },
    { measure: "memory rss after the whole run", value: mb(memory.rss), unit: "MiB" },
    {
      measure: "memory heap used / external",
      value: `${mb(memory.heapUsed)} / ${mb(memory.external)}`,
      unit: "MiB",
    },
  ];
}

if (import.meta.main) {
  const section = await bench();
  console.log(`## ${section.title}`);
  console.table(section.rows);
  for (const note of section.notes ?? []) console.log(`- ${note}`);
}
