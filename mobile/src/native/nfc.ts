/**
 * The NFC layer over react-native-nfc-manager: IsoDep on Android, an ISO 7816 tag on iOS (the
 * eMRTD application id A0000002471001 is listed in Info.plist by the app.json plugin settings).
 * Each `begin` is one NFC session; `reconnect` waits for the document to come back after the
 * tag was lost. Not exercised on a device here — see mobile/README.md.
 */
import { Platform } from "react-native";
import NfcManager, { NfcTech } from "react-native-nfc-manager";
import type { NfcAdapter, NfcSession } from "../logic/chip_step.ts";
import { NfcUnavailable } from "../logic/chip_step.ts";

let started = false;

async function ensureStarted(): Promise<void> {
  if (!(await NfcManager.isSupported())) {
    throw new NfcUnavailable("nfc_not_supported");
  }
  if (!started) {
    await NfcManager.start();
    started = true;
  }
  if (Platform.OS === "android" && !(await NfcManager.isEnabled())) {
    throw new NfcUnavailable("nfc_disabled");
  }
}

async function requestIsoDep(prompt: string): Promise<void> {
  try {
    await NfcManager.requestTechnology(NfcTech.IsoDep, {
      alertMessage: prompt,
    });
  } catch {
    throw new NfcUnavailable("nfc_cancelled");
  }
  if (Platform.OS === "android") {
    await NfcManager.setTimeout(2000).catch(() => {});
  }
}

/**
 * Extended-length READ BINARY only where the NFC stack says it can carry it: on Android within
 * `getMaxTransceiveLength()` (secure messaging adds up to ~40 bytes around the plaintext); on iOS
 * short APDUs only (223 bytes per read, ~100 APDUs for a 20 KB portrait) — a too-long APDU
 * would surface as a lost tag rather than a status word the reader core can fall back on.
 */
async function readerLimits(): Promise<{
  preferExtendedLength: boolean;
  extendedReadLength?: number;
}> {
  if (Platform.OS !== "android") return { preferExtendedLength: false };
  const max = await NfcManager.getMaxTransceiveLength().catch(() => 261);
  if (max < 512) return { preferExtendedLength: false };
  return { preferExtendedLength: true, extendedReadLength: Math.min(4096, max - 64) };
}

/** The device's NFC reader as the flow's {@link NfcAdapter}. */
export const deviceNfc: NfcAdapter = {
  async begin(prompt: string): Promise<NfcSession> {
    await ensureStarted();
    await requestIsoDep(prompt);
    return {
      readerOptions: await readerLimits(),
      async transceive(command: Uint8Array): Promise<Uint8Array> {
        // A thrown error that is not a ChipError is a lost tag for the reader core.
        const response = await NfcManager.isoDepHandler.transceive(
          Array.from(command),
        );
        return Uint8Array.from(response);
      },
      async reconnect(): Promise<void> {
        if (Platform.OS === "ios") {
          await NfcManager.restartTechnologyRequestIOS();
          return;
        }
        await NfcManager.cancelTechnologyRequest().catch(() => {});
        await requestIsoDep(prompt);
      },
      async close(message?: string): Promise<void> {
        if (Platform.OS === "ios" && message) {
          await NfcManager.setAlertMessageIOS(message).catch(() => {});
        }
        await NfcManager.cancelTechnologyRequest().catch(() => {});
      },
    };
  },
};
