/**
 * DG15 (tag 0x6F): the Active Authentication public key as a SubjectPublicKeyInfo, RSA or EC.
 * Parsing never throws: every malformed input is a typed failure.
 */
import { DerError, readSingleTlv } from "./der.ts";
import { decodeSubjectPublicKeyInfo, type EcPublicKey, type RsaPublicKey } from "./public_key.ts";

/** Why a DG15 could not be parsed. */
export type Dg15Failure = "dg15_wrong_tag" | "dg15_malformed" | "dg15_unsupported_key";

/** Result of {@link parseDg15}. */
export type Dg15Result =
  | { ok: true; publicKey: RsaPublicKey | EcPublicKey }
  | { ok: false; reason: Dg15Failure; detail: string };

/** Parses the DG15 file and returns the AA public key. */
export function parseDg15(bytes: Uint8Array): Dg15Result {
  try {
    const file = readSingleTlv(bytes);
    if (file.tag !== 0x6f) {
      return { ok: false, reason: "dg15_wrong_tag", detail: "DG15 must start with tag 6F" };
    }
    const key = decodeSubjectPublicKeyInfo(readSingleTlv(file.value));
    if (key.kind === "dh") {
      return { ok: false, reason: "dg15_unsupported_key", detail: "DH keys cannot sign" };
    }
    return { ok: true, publicKey: key };
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    const unsupported = error.code === "unknown_curve" || error.code === "unsupported_key";
    return {
      ok: false,
      reason: unsupported ? "dg15_unsupported_key" : "dg15_malformed",
      detail: error.code,
    };
  }
}
