/**
 * SubjectPublicKeyInfo decoding for the chip's own keys (DG14 Chip Authentication keys, DG15
 * Active Authentication keys): RSA, EC (named or explicit parameters) and Diffie-Hellman.
 */
import { decodeEcParameters, type EcCurve } from "./curves.ts";
import {
  decodeInteger,
  decodeOid,
  DerError,
  expectTag,
  readChildren,
  readSingleTlv,
  type Tlv,
} from "./der.ts";

/** OIDs of the key algorithms this module understands. */
export const KEY_ALGORITHM_OIDS = {
  rsaEncryption: "1.2.840.113549.1.1.1",
  rsassaPss: "1.2.840.113549.1.1.10",
  ecPublicKey: "1.2.840.10045.2.1",
  dhPublicNumber: "1.2.840.10046.2.1",
  dhKeyAgreement: "1.2.840.113549.1.3.1",
} as const;

/** An RSA public key. */
export interface RsaPublicKey {
  kind: "rsa";
  modulus: bigint;
  exponent: bigint;
  /** Modulus length in bits. */
  bits: number;
}

/** An EC public key: the curve and the encoded point (SEC 1, usually uncompressed). */
export interface EcPublicKey {
  kind: "ec";
  curve: EcCurve;
  point: Uint8Array;
}

/** A finite-field Diffie-Hellman public key with its group. */
export interface DhPublicKey {
  kind: "dh";
  prime: bigint;
  generator: bigint;
  /** Subgroup order when the parameters give it (X9.42). */
  order?: bigint;
  publicValue: bigint;
}

/** Any chip public key. */
export type ChipPublicKey = RsaPublicKey | EcPublicKey | DhPublicKey;

/** Decodes a SubjectPublicKeyInfo element. Throws only {@link DerError}. */
export function decodeSubjectPublicKeyInfo(spki: Tlv): ChipPublicKey {
  const [algorithm, subjectPublicKey] = readChildren(expectTag(spki, 0x30, "SubjectPublicKeyInfo"));
  const [algorithmOid, parameters] = readChildren(
    expectTag(algorithm, 0x30, "AlgorithmIdentifier"),
  );
  const oid = decodeOid(expectTag(algorithmOid, 0x06, "algorithm OID"));
  const bits = expectTag(subjectPublicKey, 0x03, "subjectPublicKey");
  if (bits.value.length < 2 || bits.value[0] !== 0) {
    throw new DerError("bad_key", "subjectPublicKey must have no unused bits");
  }
  const keyBytes = bits.value.subarray(1);
  switch (oid) {
    case KEY_ALGORITHM_OIDS.rsaEncryption:
    case KEY_ALGORITHM_OIDS.rsassaPss:
      return decodeRsaKey(keyBytes);
    case KEY_ALGORITHM_OIDS.ecPublicKey:
      if (!parameters) throw new DerError("bad_key", "EC key without parameters");
      return { kind: "ec", curve: decodeEcParameters(parameters), point: keyBytes };
    case KEY_ALGORITHM_OIDS.dhPublicNumber:
    case KEY_ALGORITHM_OIDS.dhKeyAgreement:
      if (!parameters) throw new DerError("bad_key", "DH key without parameters");
      return decodeDhKey(parameters, keyBytes);
    default:
      throw new DerError("unsupported_key", "unsupported public key algorithm");
  }
}

/** Decodes DER SubjectPublicKeyInfo bytes. */
export function decodeSubjectPublicKeyInfoBytes(bytes: Uint8Array): ChipPublicKey {
  return decodeSubjectPublicKeyInfo(readSingleTlv(bytes));
}

function decodeRsaKey(keyBytes: Uint8Array): RsaPublicKey {
  const [modulusTlv, exponentTlv] = readChildren(
    expectTag(readSingleTlv(keyBytes), 0x30, "RSAPublicKey"),
  );
  const modulus = decodeInteger(expectTag(modulusTlv, 0x02, "modulus"));
  const exponent = decodeInteger(expectTag(exponentTlv, 0x02, "exponent"));
  if (modulus < 3n || exponent < 3n) throw new DerError("bad_key", "degenerate RSA key");
  return { kind: "rsa", modulus, exponent, bits: modulus.toString(2).length };
}

function decodeDhKey(parameters: Tlv, keyBytes: Uint8Array): DhPublicKey {
  const [primeTlv, generatorTlv, third] = readChildren(
    expectTag(parameters, 0x30, "DH parameters"),
  );
  const prime = decodeInteger(expectTag(primeTlv, 0x02, "prime"));
  const generator = decodeInteger(expectTag(generatorTlv, 0x02, "generator"));
  // X9.42 DomainParameters carry q third; PKCS#3 carries an optional private value length.
  const order = third?.tag === 0x02 && decodeInteger(third) > 1000n
    ? decodeInteger(third)
    : undefined;
  const publicValue = decodeInteger(expectTag(readSingleTlv(keyBytes), 0x02, "DH public value"));
  if (prime < 5n || generator < 2n || publicValue < 2n || publicValue >= prime - 1n) {
    throw new DerError("bad_key", "degenerate DH key");
  }
  return { kind: "dh", prime, generator, order, publicValue };
}
