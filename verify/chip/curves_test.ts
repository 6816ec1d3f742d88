import assert from "node:assert/strict";
import {
  curveByName,
  decodeEcParameters,
  type EcCurve,
  encodeExplicitEcParameters,
  nobleCurve,
} from "./curves.ts";
import {
  bigintToBytes,
  DerError,
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  readSingleTlv,
} from "./der.ts";

const decode = (bytes: Uint8Array) => decodeEcParameters(readSingleTlv(bytes));

function derCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DerError) return error.code;
    throw error;
  }
  return "no error";
}

Deno.test("explicit ECParameters of a named curve are recognised by value", () => {
  const brainpool = curveByName("brainpoolP224r1");
  const decoded = decode(encodeExplicitEcParameters(brainpool));
  assert.equal(decoded.name, "brainpoolP224r1");
  assert.deepEqual(decoded.params, brainpool.params);
  assert.equal(decode(encodeOid("1.3.36.3.3.2.8.1.1.5")).name, "brainpoolP224r1");
});

Deno.test("explicit ECParameters of an unknown curve are kept as an explicit curve", () => {
  const base = curveByName("P-256");
  const other: EcCurve = { ...base, params: { ...base.params, b: base.params.b + 1n } };
  const decoded = decode(encodeExplicitEcParameters(other));
  assert.equal(decoded.name, "explicit");
  assert.equal(decoded.params.b, base.params.b + 1n);
  assert.equal(decoded.fieldLength, 32);
});

Deno.test("ECParameters: compressed base point, binary field, truncation give coded DerErrors", () => {
  const { p, a, b, Gx, n } = curveByName("P-256").params;
  const withBase = (field: Uint8Array, point: Uint8Array) =>
    encodeSequence(
      encodeInteger(1),
      field,
      encodeSequence(
        encodeOctetString(bigintToBytes(a, 32)),
        encodeOctetString(bigintToBytes(b, 32)),
      ),
      encodeOctetString(point),
      encodeInteger(n),
    );
  const primeField = encodeSequence(encodeOid("1.2.840.10045.1.1"), encodeInteger(p));
  const compressed = Uint8Array.of(2, ...bigintToBytes(Gx, 32));
  assert.equal(derCode(() => decode(withBase(primeField, compressed))), "unknown_curve");
  const binaryField = encodeSequence(encodeOid("1.2.840.10045.1.2"), encodeInteger(p));
  const full = encodeExplicitEcParameters(curveByName("P-256"));
  assert.equal(
    derCode(() => decode(withBase(binaryField, Uint8Array.of(4, 1, 2)))),
    "unknown_curve",
  );
  assert.equal(derCode(() => decode(full.subarray(0, full.length - 3))), "truncated");
  // Well-formed DER, but the Curve, base point and order are missing: the reader's own code.
  const cut = encodeSequence(encodeInteger(1), primeField);
  assert.equal(derCode(() => decode(cut)), "missing_element");
  assert.equal(derCode(() => decode(encodeOid("1.2.3.4"))), "unknown_curve");
});

Deno.test("noble instances: named curves are kept, unnamed explicit ones are not", () => {
  const p256 = curveByName("P-256");
  assert.equal(nobleCurve(p256), nobleCurve({ ...p256 }));
  // The same parameters under no name (a DG14 can carry any explicit curve before passive
  // authentication has run): a fresh instance each time, so such curves cannot grow memory.
  const unnamed = { ...p256, name: "explicit" };
  assert.notEqual(nobleCurve(unnamed), nobleCurve(unnamed));
});
