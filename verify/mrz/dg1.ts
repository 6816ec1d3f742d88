/**
 * DG1 (ICAO Doc 9303 Part 10 §4.7.1): tag `61` wrapping the MRZ in tag `5F1F`.
 */
import { readChildren, readOuter, TlvError, valueOf } from "../document/tlv.ts";
import { type MrzParseResult, parseMrz } from "./mrz.ts";

const DG1_TAG = 0x61;
const MRZ_TAG = 0x5f1f;

/**
 * Parses DG1 bytes into a validated MRZ at verification time `at`. Never throws: malformed
 * bytes give `dg1_malformed`, a wrong outer tag `dg1_wrong_tag`, no 5F1F `dg1_mrz_missing`.
 */
export function parseDg1(bytes: Uint8Array, at: Date): MrzParseResult {
  try {
    const outer = readOuter(bytes, DG1_TAG);
    if (!outer) return { ok: false, reason: "dg1_wrong_tag", detail: "DG1 does not start with 61" };
    const mrzElement = readChildren(bytes, outer).find((child) => child.tag === MRZ_TAG);
    if (!mrzElement) {
      return { ok: false, reason: "dg1_mrz_missing", detail: "DG1 has no 5F1F element" };
    }
    // The MRZ is ASCII; latin1 maps every byte to one character, so any non-MRZ byte stays
    // visible to the charset rule instead of vanishing in a decoding step.
    const text = new TextDecoder("latin1").decode(valueOf(bytes, mrzElement));
    return parseMrz(text, { at });
  } catch (error) {
    const detail = error instanceof TlvError ? error.message : "DG1 could not be read";
    return { ok: false, reason: "dg1_malformed", detail };
  }
}
