import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  bigIntToBytes,
  derBitString,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
} from "../asn1/mod.ts";
import {
  CryptoError,
  curveByteLength,
  type CurveParams,
  CURVES,
  digest,
  nobleCurve,
  parsePublicKeyInfo,
  verifySignature,
} from "./mod.ts";

/** SPKI with explicit SpecifiedECDomain parameters, as most CSCAs and DSCs carry. */
function explicitSpki(
  curve: CurveParams,
  point: Uint8Array,
  tweak: Partial<CurveParams> = {},
): Uint8Array {
  const c = { ...curve, ...tweak };
  const size = curveByteLength(curve);
  const base = new Uint8Array([4, ...bigIntToBytes(c.Gx, size), ...bigIntToBytes(c.Gy, size)]);
  const params = derSequence(
    derInteger(1),
    derSequence(derOid("1.2.840.10045.1.1"), derInteger(c.p)),
    derSequence(derOctetString(bigIntToBytes(c.a, size)), derOctetString(bigIntToBytes(c.b, size))),
    derOctetString(base),
    derInteger(c.n),
    derInteger(c.h),
  );
  return derSequence(derSequence(derOid("1.2.840.10045.2.1"), params), derBitString(point));
}

function namedSpki(curve: CurveParams, point: Uint8Array): Uint8Array {
  return derSequence(
    derSequence(derOid("1.2.840.10045.2.1"), derOid(curve.oid)),
    derBitString(point),
  );
}

Deno.test("curves: explicit and named parameters of every supported curve are recognised; ECDSA verifies on each", async () => {
  const data = new TextEncoder().encode("tbs");
  for (const curve of CURVES) {
    const noble = nobleCurve(curve.name);
    const secret = noble.utils.randomSecretKey();
    const point = noble.getPublicKey(secret, false);
    const explicit = parsePublicKeyInfo(explicitSpki(curve, point));
    assert.equal(explicit.kind === "ec" && explicit.curve, curve.name);
    assert.equal(explicit.kind === "ec" && explicit.explicitParameters, true);
    const named = parsePublicKeyInfo(namedSpki(curve, point));
    assert.equal(named.kind === "ec" && named.curve, curve.name);
    const signature = noble.sign(await digest("sha256", data), secret, {
      prehash: false,
      format: "der",
    });
    const algorithm = { oid: "1.2.840.10045.4.3.2" };
    assert.equal(
      await verifySignature({ algorithm, publicKeyInfo: explicit, data, signature }),
      true,
      curve.name,
    );
    const other = new Uint8Array([...data, 1]);
    assert.equal(
      await verifySignature({ algorithm, publicKeyInfo: explicit, data: other, signature }),
      false,
      curve.name,
    );
  }
});

Deno.test("curves: any changed domain parameter is an unsupported curve, never a silent match", () => {
  const curve = CURVES.find((c) => c.name === "brainpoolP320r1")!;
  const point = nobleCurve(curve.name).getPublicKey(
    nobleCurve(curve.name).utils.randomSecretKey(),
    false,
  );
  for (const field of ["p", "a", "b", "Gx", "Gy", "n"] as const) {
    assert.throws(
      () => parsePublicKeyInfo(explicitSpki(curve, point, { [field]: curve[field] ^ 2n })),
      (e) => e instanceof CryptoError && e.code === "unsupported_curve",
      field,
    );
  }
});

Deno.test("SPKI parser: 10,000 random and mutated inputs only ever fail with CryptoError", () => {
  const curve = CURVES[5];
  const point = nobleCurve(curve.name).getPublicKey(
    nobleCurve(curve.name).utils.randomSecretKey(),
    false,
  );
  const seed = explicitSpki(curve, point);
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(seed.length)).map(
      ([i, v, cut]) => {
        const copy = seed.slice(0, Math.max(cut, i + 1));
        copy[i] = v;
        return copy;
      },
    ),
  );
  fc.assert(
    fc.property(input, (bytes) => {
      try {
        parsePublicKeyInfo(bytes);
      } catch (error) {
        if (!(error instanceof CryptoError)) throw error;
      }
    }),
    { numRuns: 10_000 },
  );
});
