/**
 * The local face model on its own thread (`worker_verifier.ts`): loads the models once, then
 * answers `compare` and `liveness` requests with decisions and reason codes. A face check is
 * seconds of synchronous model work; here it never holds up the main thread's requests.
 */
/// <reference lib="deno.worker" />
import { createLocalBiometricVerifier } from "./local_verifier.ts";
import type { CheckLivenessInput, CompareFacesInput } from "./types.ts";

/** A request from the main thread. */
export type VerifierRequest =
  | { id: number; method: "compare"; input: CompareFacesInput }
  | { id: number; method: "liveness"; input: CheckLivenessInput };

const verifier = createLocalBiometricVerifier();
verifier.then(
  () => self.postMessage({ ready: true }),
  () => self.postMessage({ ready: false }),
);

self.onmessage = async (message: MessageEvent<VerifierRequest>) => {
  const request = message.data;
  const local = await verifier;
  const result = request.method === "compare"
    ? await local.compareFaces(request.input)
    : await local.checkLiveness(request.input);
  self.postMessage({ id: request.id, result });
};
