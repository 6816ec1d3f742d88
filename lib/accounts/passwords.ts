/**
 * Password hashing with argon2id (hash-wasm, maintained, WebAssembly). Parameters follow the
 * OWASP recommendation (19 MiB, 2 passes, 1 lane); the encoded hash carries them, so they can be
 * raised later without breaking stored hashes.
 */
import { argon2id, argon2Verify } from "hash-wasm";
import { cryptoRandom, type RandomSource } from "../core/random.ts";

/** Minimum password length for dashboard accounts. */
export const MIN_PASSWORD_LENGTH = 10;

/** Hashes a password into an encoded argon2id string. */
export async function hashPassword(
  password: string,
  random: RandomSource = cryptoRandom,
): Promise<string> {
  return await argon2id({
    password,
    salt: random.bytes(16),
    parallelism: 1,
    iterations: 2,
    memorySize: 19456,
    hashLength: 32,
    outputType: "encoded",
  });
}

/** Checks a password against an encoded hash; false on any malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash: encoded });
  } catch {
    return false;
  }
}

// A fixed hash verified when the email is unknown, so sign-in takes the same time either way.
let decoy: Promise<string> | null = null;

/** Spends the time of one verification without a user (timing equalisation). */
export async function verifyDecoyPassword(password: string): Promise<void> {
  decoy ??= hashPassword("decoy-password-never-valid");
  await verifyPassword(password, await decoy);
}
