/** PEM blocks (`-----BEGIN CERTIFICATE-----`, `X509 CRL`…) to DER. */

/** One decoded PEM block. */
export interface PemBlock {
  /** The label, e.g. "CERTIFICATE" or "X509 CRL". */
  label: string;
  der: Uint8Array;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** True when the text looks like PEM. */
export function looksLikePem(text: string): boolean {
  return text.includes("-----BEGIN ");
}

/** Decodes every PEM block; blocks whose base64 is broken are skipped and counted. */
export function parsePem(text: string): { blocks: PemBlock[]; broken: number } {
  const blocks: PemBlock[] = [];
  let broken = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    try {
      blocks.push({ label: match[1], der: Uint8Array.fromBase64(match[2].replace(/\s+/g, "")) });
    } catch {
      broken++;
    }
  }
  return { blocks, broken };
}
