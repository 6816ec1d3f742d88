/**
 * Test helpers: BER-TLV encoding for building synthetic data groups in tests (this module is
 * imported only by `*_test.ts` files).
 */

import fc from "npm:fast-check@4.10.2";

/** Encodes a tag number into its bytes (1–3 bytes as written, e.g. 0x5F1F → 5F 1F). */
export function tagBytes(tag: number): number[] {
  const bytes: number[] = [];
  for (let rest = tag; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return bytes.length === 0 ? [0] : bytes;
}

/** Encodes a definite length (short form, or 81/82/83 long forms). */
export function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  if (length < 0x100) return [0x81, length];
  if (length < 0x10000) return [0x82, length >> 8, length & 0xff];
  return [0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
}

/** One TLV element whose value is the concatenation of `parts`. */
export function tlv(tag: number, ...parts: (Uint8Array | number[] | string)[]): Uint8Array {
  const value = parts.flatMap((part) =>
    typeof part === "string" ? [...new TextEncoder().encode(part)] : [...part]
  );
  return new Uint8Array([...tagBytes(tag), ...lengthBytes(value.length), ...value]);
}

/** A minimal baseline JPEG header (SOI, APP0, SOF0 with the given size) plus padding. */
export function tinyJpeg(width: number, height: number): Uint8Array {
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x04,
    0x4a,
    0x46, // SOI, APP0 (length 4)
    0xff,
    0xc0,
    0x00,
    0x0b,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x01,
    0x01,
    0x11,
    0x00, // SOF0
    0xff,
    0xd9, // EOI
  ]);
}

/**
 * The parser property every data-group test asserts: random bytes, and a real file with one byte
 * changed and its tail cut, give a parse or a failure with one of the known reasons — never an
 * exception (fast-check, `runs` cases each).
 */
export function assertParserIsTotal(
  parse: (bytes: Uint8Array) => { ok: true } | { ok: false; reason: string },
  seed: Uint8Array,
  reasons: ReadonlySet<string>,
  options: { maxRandomLength: number; maxCut: number; runs?: number },
): void {
  const acceptable = (bytes: Uint8Array) => {
    const result = parse(bytes);
    return result.ok || reasons.has(result.reason);
  };
  const numRuns = options.runs ?? 5_000;
  fc.assert(fc.property(fc.uint8Array({ maxLength: options.maxRandomLength }), acceptable), {
    numRuns,
  });
  fc.assert(
    fc.property(
      fc.nat(seed.length - 1),
      fc.integer({ min: 0, max: 255 }),
      fc.nat(options.maxCut),
      (index, value, cut) => {
        const mutated = seed.slice(0, Math.max(1, seed.length - cut));
        if (index < mutated.length) mutated[index] = value;
        return acceptable(mutated);
      },
    ),
    { numRuns },
  );
}
