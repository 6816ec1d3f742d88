/**
 * The installation's device id (docs/mobile-protocol.md §2: stable per installation, the server
 * keeps only its keyed hash): a random UUID in the keychain / keystore through expo-secure-store,
 * readable after the first unlock, never migrated to another device. This is the only thing the
 * app stores.
 */
import * as SecureStore from "expo-secure-store";

const KEY = "kayle.device_id";
const OPTIONS = {
  keychainAccessible: SecureStore.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY,
};

function randomUuid(): string {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

let cached: Promise<string> | null = null;

/** The device id, created on first use. */
export function deviceId(): Promise<string> {
  cached ??= (async () => {
    const existing = await SecureStore.getItemAsync(KEY, OPTIONS);
    if (existing) return existing;
    const id = randomUuid();
    await SecureStore.setItemAsync(KEY, id, OPTIONS);
    return id;
  })();
  return cached;
}
