/**
 * Elliptic-curve domain parameters for the anti-cloning checks: named curves by OID, explicit
 * (ECParameters) curves recognised by value, and noble ECDSA/ECDH instances built from either.
 * Passports very often carry explicit brainpool parameters, so the value is what counts.
 */
import { type ECDSA, ecdsa, weierstrass } from "@noble/curves/abstract/weierstrass.js";
import { CURVES } from "../crypto/curves.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  bigintToBytes,
  decodeInteger,
  decodeOid,
  decodeUnsigned,
  DerError,
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  expectTag,
  readChildren,
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
  const [version, fieldId, curve, base, order, cofactor] = readChildren(
    expectTag(tlv, 0x30, "ECParameters"),
  );
  decodeInteger(expectTag(version, 0x02, "ECParameters version"));
  const [fieldType, prime] = readChildren(expectTag(fieldId, 0x30, "FieldID"));
  if (decodeOid(fieldType) !== "1.2.840.10045.1.1") {
    throw new DerError("unknown_curve", "only prime fields are supported");
  }
  const [a, b] = readChildren(expectTag(curve, 0x30, "Curve"));
  const point = expectTag(base, 0x04, "base point").value;
  const p = decodeInteger(prime);
  const coordinateLength = (point.length - 1) / 2;
  if (point[0] !== 0x04 || !Number.isInteger(coordinateLength) || coordinateLength < 1) {
    throw new DerError("unknown_curve", "base point must be uncompressed");
  }
  const params: CurveParameters = {
    p,
    a: decodeUnsigned(expectTag(a, 0x04, "a").value),
    b: decodeUnsigned(expectTag(b, 0x04, "b").value),
    Gx: decodeUnsigned(point.subarray(1, 1 + coordinateLength)),
    Gy: decodeUnsigned(point.subarray(1 + coordinateLength)),
    n: decodeInteger(expectTag(order, 0x02, "order")),
    h: cofactor ? decodeInteger(expectTag(cofactor, 0x02, "cofactor")) : 1n,
  };
  const named = NAMED_CURVES.find((c) => sameParameters(c.params, params));
  return toCurve(named?.name ?? "explicit", params);
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

const instances = new Map<string, ECDSA>();

/**
 * A noble ECDSA/ECDH instance for the curve. The hash argument is irrelevant because callers
 * always pass their own digest with `prehash: false`; it only seeds RFC 6979 nonces.
 */
export function nobleCurve(curve: EcCurve): ECDSA {
  const key =
    `${curve.params.p}:${curve.params.a}:${curve.params.b}:${curve.params.Gx}:${curve.params.n}`;
  let instance = instances.get(key);
  if (!instance) {
    try {
      instance = ecdsa(weierstrass(curve.params), sha256, { lowS: false });
    } catch {
      throw new DerError("unknown_curve", "invalid curve parameters");
    }
    instances.set(key, instance);
  }
  return instance;
}
