/**
 * ECDSA verification: WebCrypto for P-256/384/521 with SHA-1/256/384/512, `@noble/curves` for
 * everything else (brainpool, P-224, SHA-224). High-S signatures are accepted (real passports
 * produce them) and the digest is computed here, then passed to noble with `prehash: false`.
 */
import { ecdsa, weierstrass } from "@noble/curves/abstract/weierstrass.js";
import type { ECDSA } from "@noble/curves/abstract/weierstrass.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  Asn1Error,
  bigIntToBytes,
  children,
  concatBytes,
  decodeInteger,
  parseTlv,
  TAG,
} from "../asn1/mod.ts";
import { curveByName, curveByteLength, type CurveName } from "./curves.ts";
import { digest, type HashName, webCryptoHashName } from "./hash.ts";

const WEBCRYPTO_CURVES = new Set<CurveName>(["P-256", "P-384", "P-521"]);
const nobleCurves = new Map<CurveName, ECDSA>();

/** The noble ECDSA instance of a curve (built once from its domain parameters). */
export function nobleCurve(name: CurveName): ECDSA {
  let curve = nobleCurves.get(name);
  if (!curve) {
    const params = curveByName(name)!;
    // The hash only matters for signing (RFC 6979); verification gets the digest from us.
    curve = ecdsa(
      weierstrass({
        p: params.p,
        n: params.n,
        h: params.h,
        a: params.a,
        b: params.b,
        Gx: params.Gx,
        Gy: params.Gy,
      }),
      sha256,
    );
    nobleCurves.set(name, curve);
  }
  return curve;
}

/** Converts a DER ECDSA-Sig-Value to fixed-width r‖s, or null when malformed or oversized. */
export function derSignatureToPlain(der: Uint8Array, size: number): Uint8Array | null {
  try {
    const seq = parseTlv(der);
    if (seq.tag !== TAG.SEQUENCE) return null;
    const parts = children(seq);
    if (parts.length !== 2) return null;
    const [r, s] = parts.map(decodeInteger);
    if (r <= 0n || s <= 0n) return null;
    const rBytes = bigIntToBytes(r, size);
    const sBytes = bigIntToBytes(s, size);
    if (rBytes.length !== size || sBytes.length !== size) return null;
    return concatBytes([rBytes, sBytes]);
  } catch (error) {
    if (error instanceof Asn1Error) return null;
    throw error;
  }
}

/** Verifies an ECDSA signature (DER or plain r‖s) over `data`. */
export async function verifyEcdsa(
  curveName: CurveName,
  point: Uint8Array,
  hash: HashName,
  data: Uint8Array,
  signature: Uint8Array,
  encoding: "der" | "plain",
): Promise<boolean> {
  const curve = curveByName(curveName)!;
  const size = curveByteLength(curve);
  const plain = encoding === "der" ? derSignatureToPlain(signature, size) : signature;
  if (!plain || plain.length !== 2 * size) return false;
  const webHash = webCryptoHashName(hash);
  if (WEBCRYPTO_CURVES.has(curveName) && webHash && point[0] === 4) {
    try {
      const key = await crypto.subtle.importKey(
        "raw",
        point as Uint8Array<ArrayBuffer>,
        { name: "ECDSA", namedCurve: curveName },
        false,
        ["verify"],
      );
      return await crypto.subtle.verify(
        { name: "ECDSA", hash: webHash },
        key,
        plain as Uint8Array<ArrayBuffer>,
        data as Uint8Array<ArrayBuffer>,
      );
    } catch {
      // Fall through to noble (e.g. a point WebCrypto refuses to import).
    }
  }
  const messageHash = await digest(hash, data);
  try {
    return nobleCurve(curveName).verify(plain, messageHash, point, {
      prehash: false,
      lowS: false,
      format: "compact",
    });
  } catch {
    return false;
  }
}
