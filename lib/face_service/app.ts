/**
 * The face verifier as an HTTP service: the server side of the contract that
 * `verify/biometric/remote_verifier.ts` speaks (docs/biometrics.md "Remote verifier"), around any
 * `BiometricVerifier`. `deno task face-server` runs it with the local model in its own process, on
 * this machine or another, so face checks (~0.6 s of CPU per verification) scale apart from the
 * API; the API server reaches it through `KAYLE_FACE_VERIFIER_URL`.
 *
 * A bearer token guards it (compared in constant time), bodies are capped, malformed requests get
 * a 400 with a code and a verifier that throws a 500 `VERIFIER_FAILED`; only decisions and reason
 * codes are answered, and its log lines carry the route, the status, the reason code and the
 * duration — never an image or a score.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Logger } from "../core/logger.ts";
import { constantTimeEqual } from "../core/keys.ts";
import { ALL_POSES, type BiometricVerifier, type Pose } from "../../verify/biometric/types.ts";
import { MAX_CHALLENGE_POSES } from "../../verify/biometric/pose_challenge.ts";
import { REMOTE_CONTRACT_VERSION } from "../../verify/biometric/remote_verifier.ts";

/** Largest request body: a portrait and up to five selfie frames, base64, with room to spare. */
export const FACE_SERVICE_MAX_BODY_BYTES = 12 * 1024 * 1024;

/** Options of {@link createFaceServiceApp}. */
export interface FaceServiceOptions {
  verifier: BiometricVerifier;
  /** Required as `Authorization: Bearer <token>`; null accepts any caller (loopback only). */
  token: string | null;
  logger: Logger;
}

const image = z.string().min(1).transform((text, ctx) => {
  try {
    return Uint8Array.fromBase64(text);
  } catch {
    ctx.addIssue({ code: "custom", message: "must be standard base64" });
    return z.NEVER;
  }
});
const age = z.number().int().min(0).max(150).nullable().optional()
  .transform((years) => years ?? undefined);

const compareBody = z.object({
  v: z.literal(REMOTE_CONTRACT_VERSION),
  portrait: image,
  selfie: image,
  subject_age_years: age,
});

const livenessBody = z.object({
  v: z.literal(REMOTE_CONTRACT_VERSION),
  portrait: image,
  frames: z.array(image).min(1).max(MAX_CHALLENGE_POSES),
  challenge: z.object({
    poses: z.array(z.enum(ALL_POSES as [Pose, ...Pose[]])).min(1).max(MAX_CHALLENGE_POSES),
    nonce: z.string().min(1).max(200),
  }),
  subject_age_years: age,
});

function problem(
  status: 400 | 401 | 404 | 413 | 500,
  code: string,
  message: string,
): Response {
  return Response.json({ error: { code, message } }, { status });
}

/** The service's routes: `POST /compare`, `POST /liveness`, `GET /healthz`. */
export function createFaceServiceApp(options: FaceServiceOptions): Hono {
  const { verifier, token, logger } = options;
  const app = new Hono();
  app.get("/healthz", () => Response.json({ status: "ok" }));
  app.use("*", async (c, next) => {
    const given = c.req.header("authorization") ?? "";
    if (token !== null && !constantTimeEqual(given, `Bearer ${token}`)) {
      logger.warn("face_service.unauthorized", { route: c.req.path });
      return problem(401, "UNAUTHORIZED", "A valid Authorization: Bearer token is required.");
    }
    await next();
  });
  app.use(
    "*",
    bodyLimit({
      maxSize: FACE_SERVICE_MAX_BODY_BYTES,
      onError: () =>
        problem(
          413,
          "PAYLOAD_TOO_LARGE",
          `Request bodies are limited to ${FACE_SERVICE_MAX_BODY_BYTES} bytes.`,
        ),
    }),
  );

  const handle = <T>(
    route: "compare" | "liveness",
    schema: z.ZodType<T>,
    run: (input: T) => Promise<{ reason: string }>,
  ) =>
    app.post(`/${route}`, async (c) => {
      const started = performance.now();
      const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) {
        const where = parsed.error.issues[0]?.path.join(".") || "body";
        logger.warn("face_service.invalid_request", { route, field: where });
        return problem(400, "INVALID_REQUEST", `Invalid ${where}: expected the contract's JSON.`);
      }
      const answer = await run(parsed.data);
      logger.info("face_service.answered", {
        route,
        reason: answer.reason,
        duration_ms: Math.round(performance.now() - started),
      });
      return Response.json(answer);
    });

  handle("compare", compareBody, (input) =>
    verifier.compareFaces({
      portrait: input.portrait,
      selfie: input.selfie,
      subjectAgeYears: input.subject_age_years,
    }));
  handle("liveness", livenessBody, (input) =>
    verifier.checkLiveness({
      portrait: input.portrait,
      frames: input.frames,
      challenge: input.challenge,
      subjectAgeYears: input.subject_age_years,
    }));
  app.notFound((c) => problem(404, "NOT_FOUND", `No route ${c.req.method} ${c.req.path}.`));
  // A verifier that throws (the repository's own never do: they fail closed) answers a coded 500;
  // the caller's client treats it as a failed check.
  app.onError((error, c) => {
    logger.error("face_service.verifier_failed", {
      route: c.req.path,
      error_class: error instanceof Error ? error.name : "unknown",
    });
    return problem(500, "VERIFIER_FAILED", "The face verifier failed; the check did not run.");
  });
  return app;
}
