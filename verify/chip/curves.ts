/**
 * Elliptic-curve domain parameters for the anti-cloning checks: named curves by OID, explicit
 * (ECParameters) curves recognised by value, and noble ECDSA/ECDH instances built from either.
 * Passports very often carry explicit brainpool parameters, so the value is what counts.
 */
import { type ECDSA, ecdsa, weierstrass } from "@noble/curves/abstract/weierstrass.js";
import { CURVES } from "../crypto/curves.ts";
import { type ExplicitEcDomain, readExplicitEcDomain } from "../crypto/spki.ts";
import { CryptoError } from "../crypto/errors.ts";
import { Asn1Error } from "../asn1/errors.ts";
import { parseTlv } from "../asn1/tlv.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  bigintToBytes,
  decodeOid,
  DerError,
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  type Tlv,
} from "./der.ts";

/** Weierstrass domain parameters over a prime field. */
export interface CurveParameters {
  p: bigint;
  a: bigint;
  b: bigint;
  Gx: bigint;
  Gy: bigint;
  n: bigint;
  h: bigint;
}

/** A curve known to the verifier, with its name (or `explicit`) and parameters. */
export interface EcCurve {
  /** e.g. `P-256`, `brainpoolP224r1`, or `explicit` for unknown parameters. */
  name: string;
  params: CurveParameters;
  /** Byte length of a field element. */
  fieldLength: number;
}

/** Named curves: name, OID, parameters (the one curve table of `verify/crypto/curves.ts`). */
export const NAMED_CURVES: ReadonlyArray<{ name: string; oid: string; params: CurveParameters }> =
  CURVES.map(({ name, oid, p, a, b, Gx, Gy, n, h }) => ({
    name,
    oid,
    params: { p, a, b, Gx, Gy, n, h },
  }));

function toCurve(name: string, params: CurveParameters): EcCurve {
  return { name, params, fieldLength: Math.ceil(params.p.toString(16).length / 2) };
}

/** Looks a curve up by name (`P-256`, `brainpoolP256r1`…). */
export function curveByName(name: string): EcCurve {
  const found = NAMED_CURVES.find((c) => c.name === name);
  if (!found) throw new DerError("unknown_curve", "unknown curve name");
  return toCurve(found.name, found.params);
}

function sameParameters(x: CurveParameters, y: CurveParameters): boolean {
  return x.p === y.p && x.a === y.a && x.b === y.b && x.Gx === y.Gx && x.Gy === y.Gy &&
    x.n === y.n;
}

/**
 * Decodes the `parameters` of an id-ecPublicKey AlgorithmIdentifier: a named-curve OID or an
 * explicit ECParameters SEQUENCE (recognised by value when it matches a named curve).
 */
export function decodeEcParameters(tlv: Tlv): EcCurve {
  if (tlv.tag === 0x06) {
    const oid = decodeOid(tlv);
    const named = NAMED_CURVES.find((c) => c.oid === oid);
    if (!named) throw new DerError("unknown_curve", "unsupported named curve");
    return toCurve(named.name, named.params);
  }
  const params = readExplicitParameters(tlv);
  const named = NAMED_CURVES.find((c) => sameParameters(c.params, params));
  return toCurve(named?.name ?? "explicit", params);
}

/**
 * Explicit ECParameters through the one reader of `verify/crypto`, with this layer's error type.
 * Chip authentication needs the whole base point, so a compressed one is refused here.
 */
function readExplicitParameters(tlv: Tlv): CurveParameters {
  let domain: ExplicitEcDomain;
  try {
    domain = readExplicitEcDomain(parseTlv(tlv.raw));
  } catch (error) {
    if (error instanceof Asn1Error) throw new DerError(error.code, error.message);
    if (error instanceof CryptoError) throw new DerError("unknown_curve", error.message);
    throw error;
  }
  const { Gy, ...rest } = domain;
  if (Gy === undefined) throw new DerError("unknown_curve", "base point must be uncompressed");
  return { ...rest, Gy };
}

/** Encodes explicit ECParameters (what many passports put into DG14 and certificates). */
export function encodeExplicitEcParameters(curve: EcCurve): Uint8Array {
  const { p, a, b, Gx, Gy, n, h } = curve.params;
  const length = curve.fieldLength;
  return encodeSequence(
    encodeInteger(1),
    encodeSequence(encodeOid("1.2.840.10045.1.1"), encodeInteger(p)),
    encodeSequence(
      encodeOctetString(bigintToBytes(a, length)),
      encodeOctetString(bigintToBytes(b, length)),
    ),
    encodeOctetString(
      Uint8Array.of(4, ...bigintToBytes(Gx, length), ...bigintToBytes(Gy, length)),
    ),
    encodeInteger(n),
    encodeInteger(h),
  );
}

/** The named-curve OID of a curve, or undefined for unnamed explicit curves. */
export function curveOid(curve: EcCurve): string | undefined {
  return NAMED_CURVES.find((c) => c.name === curve.name)?.oid;
}

/** One instance per named curve (its base-point tables are built once and kept). */
const namedInstances = new Map<string, ECDSA>();

/**
 * A noble ECDSA/ECDH instance for the curve. The hash argument is irrelevant because callers
 * always pass their own digest with `prehash: false`; it only seeds RFC 6979 nonces.
 *
 * Only named curves are kept: a DG14 or certificate can carry any explicit curve (Chip
 * Authentication starts before passive authentication has vouched for DG14), and keeping one
 * instance per curve ever seen would let such documents grow the server's memory without bound.
 * Explicit parameters equal to a named curve's are that curve (`decodeEcParameters`).
 */
export function nobleCurve(curve: EcCurve): ECDSA {
  const named = curve.name === "explicit" ? undefined : namedInstances.get(curve.name);
  if (named) return named;
  let instance: ECDSA;
  try {
    instance = ecdsa(weierstrass(curve.params), sha256, { lowS: false });
  } catch {
    throw new DerError("unknown_curve", "invalid curve parameters");
  }
  if (curve.name !== "explicit") namedInstances.set(curve.name, instance);
  return instance;
}
