/**
 * SubjectPublicKeyInfo parsing to a small `PublicKeyInfo` (RSA modulus/exponent, or EC curve and
 * point). Explicit EC domain parameters are matched by value against the known curves. Exported
 * so DG14/DG15 keys (chip and active authentication) reuse the same code.
 */
import {
  Asn1Error,
  bitStringValue,
  bytesToBigInt,
  children,
  decodeInteger,
  decodeOid,
  expectTag,
  octetStringValue,
  parseTlv,
  TAG,
  type Tlv,
} from "../asn1/mod.ts";
import { curveByOid, curveByParams, type CurveName, type CurveParams } from "./curves.ts";
import { CryptoError } from "./errors.ts";

/** An RSA or EC public key, ready for the signature layer. */
export type PublicKeyInfo =
  | { kind: "rsa"; n: bigint; e: bigint; modulusBits: number; spki: Uint8Array }
  | {
    kind: "ec";
    curve: CurveName;
    /** The encoded point (04‖x‖y, or compressed). */
    point: Uint8Array;
    /** True when the key carried explicit domain parameters rather than a curve OID. */
    explicitParameters: boolean;
    spki: Uint8Array;
  };

const RSA_KEY_OIDS = new Set(["1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10"]);
const EC_KEY_OID = "1.2.840.10045.2.1";
const PRIME_FIELD_OID = "1.2.840.10045.1.1";

/** Parses DER SubjectPublicKeyInfo; throws `CryptoError` (bad or unsupported key). */
export function parsePublicKeyInfo(spki: Uint8Array): PublicKeyInfo {
  try {
    const [algorithm, keyBits] = children(expectTag(parseTlv(spki), TAG.SEQUENCE, "SPKI"));
    const [oidTlv, params] = children(expectTag(algorithm, TAG.SEQUENCE, "AlgorithmIdentifier"));
    const oid = decodeOid(oidTlv);
    const key = bitStringValue(keyBits);
    if (RSA_KEY_OIDS.has(oid)) return parseRsaKey(key, spki);
    if (oid === EC_KEY_OID) {
      const curve = ecCurveFromParameters(params);
      return {
        kind: "ec",
        curve: curve.name,
        point: key,
        explicitParameters: params?.tag === TAG.SEQUENCE,
        spki,
      };
    }
    throw new CryptoError("unsupported_key", `public key algorithm ${oid}`);
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw new CryptoError(
      "malformed_key",
      error instanceof Asn1Error ? error.code : "unreadable key",
    );
  }
}

function parseRsaKey(key: Uint8Array, spki: Uint8Array): PublicKeyInfo {
  const [nTlv, eTlv] = children(expectTag(parseTlv(key), TAG.SEQUENCE, "RSAPublicKey"));
  const n = decodeInteger(nTlv);
  const e = decodeInteger(eTlv);
  if (n <= 0n || e <= 1n) throw new CryptoError("malformed_key", "RSA modulus or exponent invalid");
  return { kind: "rsa", n, e, modulusBits: n.toString(2).length, spki };
}

/**
 * Explicit elliptic-curve domain parameters (SpecifiedECDomain / ECParameters, prime fields only),
 * as read from DER. `Gy` is undefined when the base point was encoded compressed.
 */
export interface ExplicitEcDomain {
  p: bigint;
  a: bigint;
  b: bigint;
  Gx: bigint;
  Gy?: bigint;
  n: bigint;
  /** The cofactor; 1 when absent. */
  h: bigint;
}

/**
 * Reads explicit ECParameters: version, FieldID (prime field), Curve (a, b), base point, order and
 * the optional cofactor. The one reader of explicit curves in `verify/`: the signature layer
 * matches its result against the known curves, the chip layer also accepts unknown ones.
 * Throws `Asn1Error` for malformed DER and `CryptoError("unsupported_curve")` for other fields.
 */
export function readExplicitEcDomain(sequence: Tlv): ExplicitEcDomain {
  const [, fieldId, curveTlv, base, order, cofactor] = children(
    expectTag(sequence, TAG.SEQUENCE, "ECParameters"),
  );
  const [fieldType, prime] = children(expectTag(fieldId, TAG.SEQUENCE, "FieldID"));
  if (decodeOid(fieldType) !== PRIME_FIELD_OID) {
    throw new CryptoError("unsupported_curve", "not a prime field");
  }
  const [aTlv, bTlv] = children(expectTag(curveTlv, TAG.SEQUENCE, "Curve"));
  const g = octetStringValue(base);
  const compressed = g[0] === 2 || g[0] === 3;
  const half = (g.length - 1) / 2;
  if (!compressed && (g[0] !== 4 || !Number.isInteger(half) || half < 1)) {
    throw new CryptoError("unsupported_curve", "base point encoding");
  }
  return {
    p: decodeInteger(prime),
    a: bytesToBigInt(octetStringValue(aTlv)),
    b: bytesToBigInt(octetStringValue(bTlv)),
    Gx: bytesToBigInt(compressed ? g.subarray(1) : g.subarray(1, 1 + half)),
    Gy: compressed ? undefined : bytesToBigInt(g.subarray(1 + half)),
    n: decodeInteger(order),
    h: cofactor ? decodeInteger(cofactor) : 1n,
  };
}

/**
 * The curve named by EC parameters: a named-curve OID, or explicit SpecifiedECDomain compared by
 * value (p, a, b, G, n). Throws `unsupported_curve` for anything else (implicitCA included).
 */
export function ecCurveFromParameters(params: Tlv | undefined): CurveParams {
  if (params?.tag === TAG.OID) {
    const oid = decodeOid(params);
    const named = curveByOid(oid);
    if (!named) throw new CryptoError("unsupported_curve", `named curve ${oid}`);
    return named;
  }
  if (params?.tag !== TAG.SEQUENCE) {
    throw new CryptoError("unsupported_curve", "no curve parameters");
  }
  const found = curveByParams(readExplicitEcDomain(params));
  if (!found) throw new CryptoError("unsupported_curve", "explicit parameters of an unknown curve");
  return found;
}

/** A short description such as "RSA 4096 e=65537" or "EC explicit(brainpoolP384r1)". */
export function describePublicKey(key: PublicKeyInfo): string {
  if (key.kind === "rsa") return `RSA ${key.modulusBits} e=${key.e}`;
  return `EC ${key.explicitParameters ? "explicit" : "named-curve"}(${key.curve})`;
}
