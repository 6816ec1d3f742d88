/** Source of random bytes, injected wherever a test must control randomness. */
export interface RandomSource {
  /** Returns `length` random bytes. */
  bytes(length: number): Uint8Array;
}

/** The operating system's CSPRNG (WebCrypto). */
export const cryptoRandom: RandomSource = {
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    // getRandomValues is limited to 65,536 bytes per call.
    for (let offset = 0; offset < length; offset += 65536) {
      crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
    }
    return out;
  },
};

/**
 * A deterministic source for tests: a xorshift stream from a seed. Never use it for secrets.
 */
export function seededRandom(seed = 1): RandomSource {
  let state = seed >>> 0 || 1;
  return {
    bytes(length: number): Uint8Array {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        out[i] = state & 0xff;
      }
      return out;
    },
  };
}
