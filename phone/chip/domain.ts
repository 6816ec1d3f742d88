/**
 * Key-agreement domains of PACE and Chip Authentication: the standardized domain parameters of
 * ICAO 9303-11 §9.5.1 (ids 0–2: the RFC 5114 MODP groups; 10–18: NIST and brainpool curves),
 * ephemeral keys, public-key encoding and the raw agreement. Curves come from the project's one
 * pure curve table (`verify/crypto/curves.ts`, no imports); arithmetic from @noble/curves.
 */
import { weierstrass, type WeierstrassPoint } from "@noble/curves/abstract/weierstrass.js";
import { CURVES } from "../../verify/crypto/curves.ts";
import { byteLength, fromBigInt, modPow, toBigInt } from "./bytes.ts";
import { ChipError } from "./errors.ts";

/** A source of random bytes. */
export type Random = (length: number) => Uint8Array;

/** An elliptic-curve domain. */
export interface EcDomain {
  kind: "ec";
  name: string;
  Point: ReturnType<typeof weierstrass<bigint>>;
  /** The generator in use (the base point, or PACE's mapped generator). */
  G: WeierstrassPoint<bigint>;
  n: bigint;
  fieldLength: number;
  /** Field prime and curve coefficients (Integrated Mapping's point encoding). */
  p: bigint;
  a: bigint;
  b: bigint;
}

/** A finite-field Diffie-Hellman domain. */
export interface DhDomain {
  kind: "dh";
  name: string;
  p: bigint;
  g: bigint;
  q: bigint;
}

/** Either domain. */
export type Domain = EcDomain | DhDomain;

const RFC5114: Record<number, { name: string; p: string; g: string; q: string }> = {
  0: {
    name: "MODP-1024-160",
    p: "B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371",
    g: "A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5",
    q: "F518AA8781A8DF278ABA4E7D64B7CB9D49462353",
  },
  1: {
    name: "MODP-2048-224",
    p: "AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F",
    g: "AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA",
    q: "801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB",
  },
  2: {
    name: "MODP-2048-256",
    p: "87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597",
    g: "3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659",
    q: "8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3",
  },
};

/** Standardized EC parameter ids (ICAO 9303-11 Table 4; 8/9, 192-bit curves, are not offered). */
const EC_IDS: Record<number, string> = {
  10: "P-224",
  11: "brainpoolP224r1",
  12: "P-256",
  13: "brainpoolP256r1",
  14: "brainpoolP320r1",
  15: "P-384",
  16: "brainpoolP384r1",
  17: "brainpoolP512r1",
  18: "P-521",
};

const pointTypes = new Map<string, EcDomain["Point"]>();

/** The EC domain of a named curve, or undefined when unknown. */
export function ecDomain(name: string): EcDomain | undefined {
  const curve = CURVES.find((c) => c.name === name);
  if (!curve) return undefined;
  let Point = pointTypes.get(name);
  if (!Point) {
    const { p, n, h, a, b, Gx, Gy } = curve;
    Point = weierstrass({ p, n, h, a, b, Gx, Gy });
    pointTypes.set(name, Point);
  }
  return {
    kind: "ec",
    name,
    Point,
    G: Point.BASE,
    n: curve.n,
    fieldLength: byteLength(curve.p),
    p: curve.p,
    a: curve.a,
    b: curve.b,
  };
}

/** The EC domain of a named-curve OID, or undefined. */
export function ecDomainByOid(oid: string): EcDomain | undefined {
  const curve = CURVES.find((c) => c.oid === oid);
  return curve ? ecDomain(curve.name) : undefined;
}

/** A DH domain from explicit numbers. */
export function dhDomain(p: bigint, g: bigint, q: bigint, name = "DH"): DhDomain {
  return { kind: "dh", name, p, g, q };
}

/** The domain of a standardized parameter id, or undefined when unsupported. */
export function standardDomain(id: number): Domain | undefined {
  const dh = RFC5114[id];
  if (dh) return dhDomain(BigInt(`0x${dh.p}`), BigInt(`0x${dh.g}`), BigInt(`0x${dh.q}`), dh.name);
  const name = EC_IDS[id];
  return name ? ecDomain(name) : undefined;
}

/** The standardized parameter id of a domain name, or undefined. */
export function standardId(name: string): number | undefined {
  for (const [id, dh] of Object.entries(RFC5114)) if (dh.name === name) return Number(id);
  for (const [id, ec] of Object.entries(EC_IDS)) if (ec === name) return Number(id);
  return undefined;
}

/** Length of an encoded public key's coordinate / value. */
function order(domain: Domain): bigint {
  return domain.kind === "ec" ? domain.n : domain.q;
}

/** A private key uniformly in [1, order-1] by rejection sampling (injectable randomness). */
export function randomPrivateKey(domain: Domain, random: Random): bigint {
  const limit = order(domain);
  const length = byteLength(limit);
  // Mask to the order's bit length so each draw succeeds with probability ≥ 1/2.
  const topBits = limit.toString(2).length % 8 || 8;
  for (let i = 0; i < 128; i++) {
    const bytes = random(length).slice();
    bytes[0] &= (1 << topBits) - 1;
    const k = toBigInt(bytes);
    if (k > 0n && k < limit) return k;
  }
  throw new ChipError("malformed_response", "random source produced no usable key");
}

/** The public key of `privateKey` with the domain's current generator, encoded. */
export function publicKey(domain: Domain, privateKey: bigint): Uint8Array {
  if (domain.kind === "ec") return domain.G.multiply(privateKey).toBytes(false);
  return fromBigInt(modPow(domain.g, privateKey, domain.p), byteLength(domain.p));
}

/** Decodes and validates a peer public key; a bad one is `malformed_response`. */
export function decodeEcPoint(domain: EcDomain, bytes: Uint8Array): WeierstrassPoint<bigint> {
  try {
    const point = domain.Point.fromBytes(bytes);
    point.assertValidity();
    if (point.is0()) throw new Error("infinity");
    return point;
  } catch {
    throw new ChipError("malformed_response", "public key is not a point of the curve");
  }
}

/** Decodes and range-checks a DH public value. */
export function decodeDhValue(domain: DhDomain, bytes: Uint8Array): bigint {
  const value = toBigInt(bytes);
  if (value < 2n || value > domain.p - 2n) {
    throw new ChipError("malformed_response", "DH public value out of range");
  }
  return value;
}

/**
 * The shared secret of a key agreement: the x-coordinate of k·Q (ECDH) or y^k mod p (DH), as
 * octets of the field / prime length (ICAO 9303-11 §9.6).
 */
export function sharedSecret(domain: Domain, privateKey: bigint, peer: Uint8Array): Uint8Array {
  if (domain.kind === "ec") {
    const point = decodeEcPoint(domain, peer).multiply(privateKey);
    if (point.is0()) throw new ChipError("malformed_response", "shared point at infinity");
    return fromBigInt(point.toAffine().x, domain.fieldLength);
  }
  const value = modPow(decodeDhValue(domain, peer), privateKey, domain.p);
  return fromBigInt(value, byteLength(domain.p));
}

/**
 * PACE Generic Mapping (ICAO 9303-11 §4.4.3.3.1): the new generator from the nonce `s` and the
 * mapping key agreement: Ĝ = s·G + H (ECDH) or ĝ = g^s · h mod p (DH).
 */
export function mapGeneric(
  domain: Domain,
  nonce: Uint8Array,
  privateKey: bigint,
  peer: Uint8Array,
): Domain {
  const s = toBigInt(nonce);
  if (domain.kind === "ec") {
    const h = decodeEcPoint(domain, peer).multiply(privateKey);
    // s may be longer than the order (a 256-bit nonce on a 224-bit curve): s·G = (s mod n)·G.
    const reduced = s % domain.n;
    const mapped = reduced === 0n ? h : domain.G.multiply(reduced).add(h);
    if (mapped.is0()) throw new ChipError("malformed_response", "mapped generator at infinity");
    return { ...domain, G: mapped };
  }
  const h = modPow(decodeDhValue(domain, peer), privateKey, domain.p);
  const g = (modPow(domain.g, s, domain.p) * h) % domain.p;
  if (g <= 1n) throw new ChipError("malformed_response", "mapped generator degenerate");
  return { ...domain, g };
}

/**
 * PACE Integrated Mapping (ICAO 9303-11 §4.4.3.3.2): the generator from x = R_p(s, t) —
 * Ĝ = f_G(x), the point encoding of Appendix B (affine form, p ≡ 3 mod 4), or ĝ = x^((p-1)/q)
 * mod p for DH.
 */
export function mapIntegrated(domain: Domain, x: bigint): Domain {
  if (domain.kind === "dh") {
    const g = modPow(x, (domain.p - 1n) / domain.q, domain.p);
    if (g <= 1n) throw new ChipError("malformed_response", "mapped generator degenerate");
    return { ...domain, g };
  }
  const { p, a, b } = domain;
  const mod = (v: bigint) => ((v % p) + p) % p;
  const alpha = mod(-x * x);
  const sum = mod(alpha + alpha * alpha);
  if (sum === 0n) throw new ChipError("malformed_response", "point encoding undefined");
  const x2 = mod(-b * (1n + sum) * modPow(mod(a * sum), p - 2n, p));
  const x3 = mod(alpha * x2);
  const h2 = mod(x2 * x2 * x2 + a * x2 + b);
  const u = mod(x * x * x * h2);
  const big = modPow(h2, p - 1n - (p + 1n) / 4n, p);
  const [px, py] = mod(big * big * h2) === 1n ? [x2, mod(big * h2)] : [x3, mod(big * u)];
  let point;
  try {
    point = domain.Point.fromAffine({ x: px, y: py });
    point.assertValidity();
  } catch {
    throw new ChipError("malformed_response", "point encoding left the curve");
  }
  return { ...domain, G: point };
}
