/**
 * QR codes generated locally (no external service, docs/mobile-protocol.md handoff): the module matrix from
 * `qrcode-generator`, turned into one SVG path so the code renders as inline SVG markup without
 * any inline style (the page CSP forbids inline styles) and scales crisply at any size.
 *
 * Used both on the server and inside the handoff island in the browser, so it depends on
 * nothing but the encoder.
 */
import qrcode from "qrcode-generator";

/** Error-correction level: M (15 %) survives a phone camera's glare without a huge code. */
export const QR_ERROR_CORRECTION = "M" as const;

/** The quiet zone around the code, in modules (ISO/IEC 18004 asks for 4). */
export const QR_QUIET_ZONE = 4;

/** Longest text encoded: byte mode at level M holds 2,331 bytes at version 40. */
export const QR_MAX_BYTES = 2331;

/** A square grid of modules: `true` is dark. */
export interface QrMatrix {
  size: number;
  dark: boolean[][];
}

/** The text is too long for a QR code (stable code for callers that show a fallback). */
export class QrTooLongError extends Error {
  /** Stable code. */
  readonly code = "qr_text_too_long";
  /** Creates the error for a text of `bytes` bytes. */
  constructor(bytes: number) {
    super(`A QR code holds at most ${QR_MAX_BYTES} bytes; this text has ${bytes}.`);
    this.name = "QrTooLongError";
  }
}

/** Encodes UTF-8 text into the smallest QR version that holds it. */
export function qrMatrix(text: string): QrMatrix {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > QR_MAX_BYTES) throw new QrTooLongError(bytes.length);
  const code = qrcode(0, QR_ERROR_CORRECTION);
  // Byte mode on the UTF-8 bytes, so non-ASCII text is encoded faithfully.
  code.addData(String.fromCharCode(...bytes), "Byte");
  code.make();
  const size = code.getModuleCount();
  const dark = Array.from(
    { length: size },
    (_, row) => Array.from({ length: size }, (_, col) => code.isDark(row, col)),
  );
  return { size, dark };
}

/**
 * The SVG path data of the dark modules, offset by the quiet zone: one `M x y h n v 1 h -n z`
 * rectangle per horizontal run of dark modules, which keeps the markup small.
 */
export function qrPathData(matrix: QrMatrix, quietZone: number = QR_QUIET_ZONE): string {
  const parts: string[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let col = 0;
    while (col < matrix.size) {
      if (!matrix.dark[row][col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < matrix.size && matrix.dark[row][col]) col++;
      const run = col - start;
      parts.push(`M${start + quietZone} ${row + quietZone}h${run}v1h-${run}z`);
    }
  }
  return parts.join("");
}

/** What an SVG rendering of a QR code needs: its view box side and the path of dark modules. */
export interface QrSvgShape {
  /** Side of the square view box in modules, quiet zone included. */
  viewBoxSize: number;
  path: string;
}

/** The SVG shape of a text's QR code. */
export function qrSvgShape(text: string): QrSvgShape {
  const matrix = qrMatrix(text);
  return { viewBoxSize: matrix.size + 2 * QR_QUIET_ZONE, path: qrPathData(matrix) };
}

/**
 * A complete standalone SVG document of a text's QR code (black on white), for places that
 * want markup rather than a component, e.g. a `data:` image or a download.
 */
export function qrSvgMarkup(text: string, title: string): string {
  const { viewBoxSize, path } = qrSvgShape(text);
  const escapedTitle = title.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${viewBoxSize} ${viewBoxSize}" ` +
    `shape-rendering="crispEdges" role="img" aria-label="${escapedTitle}">` +
    `<rect width="${viewBoxSize}" height="${viewBoxSize}" fill="#ffffff"/>` +
    `<path d="${path}" fill="#000000"/></svg>`;
}

/** The QR code as a `data:image/svg+xml` URL (the CSP allows `data:` images). */
export function qrDataUrl(text: string, title: string): string {
  return `data:image/svg+xml;base64,${btoa(qrSvgMarkup(text, title))}`;
}
