/**
 * Test support for the reader core: synthetic passports from the factory behind emulated chips,
 * and the server's own Active and Chip Authentication checks on what the reader returns.
 */
import assert from "node:assert/strict";
import {
  createSyntheticPassport,
  startChipAuthentication,
  type SyntheticPassportOptions,
} from "../verify/mod.ts";
import { verifyActiveAuthentication } from "../verify/active/active_authentication.ts";
import { verifyChipAuthenticationRelay } from "../verify/chip/chip_authentication.ts";
import { parseChipAuthenticationRelay } from "../verify/chip/relay_message.ts";
import { chipAuthenticationStartMessage } from "../lib/handoff/steps.ts";
import type { SyntheticPassport } from "../verify/mod.ts";
import { ChipReader, type ChipReaderOptions } from "./chip/mod.ts";

const cache = new Map<string, Promise<SyntheticPassport>>();

/** A synthetic passport per option set, created once per test process. */
export function passport(options: SyntheticPassportOptions = {}): Promise<SyntheticPassport> {
  const key = JSON.stringify(options, (_k, v) => v instanceof Uint8Array ? v.length : v);
  let found = cache.get(key);
  if (!found) cache.set(key, found = createSyntheticPassport(options));
  return found;
}

/** A JPEG-looking portrait of `size` bytes (DG2 large enough to need many reads). */
export function bigPortrait(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

/** Asserts every file the reader returned equals the passport's, byte for byte. */
export function assertFilesMatch(
  files: Record<string, Uint8Array | undefined>,
  doc: SyntheticPassport,
): void {
  assert.deepEqual(files.sod, doc.files.sod);
  for (const [number, bytes] of doc.files.dataGroups) {
    assert.deepEqual(files[`dg${number}`], bytes, `dg${number}`);
  }
  assert.ok(files.com, "EF.COM read");
}

/** Runs AA through the reader and checks the signature with the server's verifier. */
export async function assertActiveAuthentication(
  reader: ChipReader,
  files: Record<string, Uint8Array | undefined>,
): Promise<void> {
  const challenge = crypto.getRandomValues(new Uint8Array(8));
  const signature = await reader.activeAuthentication(challenge);
  const result = await verifyActiveAuthentication({
    dg15: files.dg15!,
    dg14: files.dg14,
    challenge,
    signature,
  });
  assert.deepEqual(result.ok, true, JSON.stringify(result));
}

/** Runs CA through the reader with a server start object; returns the server's verdict. */
export async function chipAuthenticationVerdict(
  reader: ChipReader,
  dg14: Uint8Array,
): Promise<{ ok: boolean; reason?: string }> {
  const start = await startChipAuthentication({ dg14 });
  if ("ok" in start) throw new Error(`CA start failed: ${start.reason}`);
  const command = await start.session.protectedCommand();
  const message = chipAuthenticationStartMessage({ start, command, relay: null });
  const relay = await reader.chipAuthentication(message as never);
  const parsed = parseChipAuthenticationRelay(JSON.parse(JSON.stringify(relay)), {
    protocolOid: start.protocolOid,
    keyId: start.keyId,
  });
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const verdict = await verifyChipAuthenticationRelay(start.session, parsed.relay);
  return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason };
}

/** Reader options for tests: no logging of anything but codes. */
export function quietOptions(extra: ChipReaderOptions = {}): ChipReaderOptions {
  return { ...extra };
}
