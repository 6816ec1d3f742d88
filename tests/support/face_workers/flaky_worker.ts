/**
 * A stand-in for `verify/biometric/verifier_worker.ts` speaking its messages: it matches every
 * face, except that a compare of a subject aged 99 crashes the worker (an uncaught error), and
 * with `?broken` in its URL its models never load.
 */
/// <reference lib="deno.worker" />
import type { VerifierRequest } from "../../../verify/biometric/verifier_worker.ts";

const broken = new URL(import.meta.url).search === "?broken";
self.postMessage({ ready: !broken });

self.onmessage = (message: MessageEvent<VerifierRequest>) => {
  const request = message.data;
  if (request.method === "compare" && request.input.subjectAgeYears === 99) {
    throw new Error("staged crash");
  }
  const result = request.method === "compare"
    ? { decision: "match", reason: "face_match" }
    : { passed: true, reason: "liveness_passed" };
  self.postMessage({ id: request.id, result });
};
