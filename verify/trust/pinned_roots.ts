/**
 * Master-list signing roots this deployment trusts, pinned by SHA-256 fingerprint of their DER.
 * A root given on the command line (`--root`) is used only when its fingerprint is pinned here or
 * in `KAYLE_TRUST_ROOT_PINS` (comma-separated hex), so a swapped root file cannot smuggle CSCAs in.
 */

/** Built-in pins: the German and Dutch master-list roots. */
export const PINNED_ROOT_FINGERPRINTS: Readonly<Record<string, string>> = {
  // C=DE,O=bund,OU=bsi,CN=csca-germany (DE_ROOT_CA_CSCA07, brainpoolP512r1, 2024-10-01..2039-01-01)
  "2084aed7a991b3158e63ad750d3dc38bc6c9dcf5958f28d1162f49884e91ada8": "DE csca-germany (CSCA07)",
  // C=NL,CN=CSCA NL, serialNumber=7 (RSA-4096)
  "411356d206b99da15efadf4b84149f8600ee6260c6727cd6bc230d6b6e151a24": "NL CSCA NL (7)",
};

/** The pinned fingerprints (lower-case hex): built-ins plus `KAYLE_TRUST_ROOT_PINS`. */
export function pinnedRootFingerprints(env: string | undefined = readPinsEnv()): Set<string> {
  const pins = new Set(Object.keys(PINNED_ROOT_FINGERPRINTS));
  for (const part of (env ?? "").split(",")) {
    const pin = part.trim().toLowerCase().replace(/:/g, "");
    if (/^[0-9a-f]{64}$/.test(pin)) pins.add(pin);
  }
  return pins;
}

function readPinsEnv(): string | undefined {
  try {
    return Deno.env.get("KAYLE_TRUST_ROOT_PINS");
  } catch {
    // Without --allow-env only the built-in pins apply.
    return undefined;
  }
}
