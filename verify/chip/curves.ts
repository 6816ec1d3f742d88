/**
 * Elliptic-curve domain parameters for the anti-cloning checks: named curves by OID, explicit
 * (ECParameters) curves recognised by value, and noble ECDSA/ECDH instances built from either.
 * Passports very often carry explicit brainpool parameters, so the value is what counts.
 */
import { type ECDSA, ecdsa, weierstrass } from "@noble/curves/abstract/weierstrass.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from "@noble/curves/misc.js";
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

const hex = (h: string): bigint => BigInt("0x" + h);

function fromHex(p: string, a: string, b: string, g: string, n: string): CurveParameters {
  const coordinateLength = (g.length - 2) / 2;
  return {
    p: hex(p),
    a: hex(a),
    b: hex(b),
    Gx: hex(g.slice(2, 2 + coordinateLength)),
    Gy: hex(g.slice(2 + coordinateLength)),
    n: hex(n),
    h: 1n,
  };
}

// Public standard constants (SEC 2, RFC 5639) for curves noble does not ship.
const P224 = fromHex(
  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001",
  "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE",
  "B4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4",
  "04B70E0CBD6BB4BF7F321390B94A03C1D356C21122343280D6115C1D21BD376388B5F723FB4C22DFE6CD4375A05A07476444D5819985007E34",
  "FFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D",
);
const BRAINPOOL_P224R1 = fromHex(
  "D7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF",
  "68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43",
  "2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B",
  "040D9029AD2C7E5CF4340823B2A87DC68C9E4CE3174C1E6EFDEE12C07D58AA56F772C0726F24C6B89E4ECDAC24354B9E99CAA3F6D3761402CD",
  "D7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F",
);
const BRAINPOOL_P320R1 = fromHex(
  "D35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27",
  "3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4",
  "520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6",
  "0443BD7E9AFB53D8B85289BCC48EE5BFE6F20137D10A087EB6E7871E2A10A599C710AF8D0D39E2061114FDD05545EC1CC8AB4093247F77275E0743FFED117182EAA9C77877AAAC6AC7D35245D1692E8EE1",
  "D35E472036BC4FB7E13C785ED201E065F98FCFA5B68F12A32D482EC7EE8658E98691555B44C59311",
);

/** Named curves: name, OID, parameters. */
export const NAMED_CURVES: ReadonlyArray<{ name: string; oid: string; params: CurveParameters }> = [
  { name: "P-224", oid: "1.3.132.0.33", params: P224 },
  { name: "P-256", oid: "1.2.840.10045.3.1.7", params: p256.Point.CURVE() },
  { name: "P-384", oid: "1.3.132.0.34", params: p384.Point.CURVE() },
  { name: "P-521", oid: "1.3.132.0.35", params: p521.Point.CURVE() },
  { name: "brainpoolP224r1", oid: "1.3.36.3.3.2.8.1.1.5", params: BRAINPOOL_P224R1 },
  { name: "brainpoolP256r1", oid: "1.3.36.3.3.2.8.1.1.7", params: brainpoolP256r1.Point.CURVE() },
  { name: "brainpoolP320r1", oid: "1.3.36.3.3.2.8.1.1.9", params: BRAINPOOL_P320R1 },
  { name: "brainpoolP384r1", oid: "1.3.36.3.3.2.8.1.1.11", params: brainpoolP384r1.Point.CURVE() },
  { name: "brainpoolP512r1", oid: "1.3.36.3.3.2.8.1.1.13", params: brainpoolP512r1.Point.CURVE() },
];

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
