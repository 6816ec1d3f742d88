/**
 * A QR code as inline SVG (generated locally by `lib/qr`, no external service, no inline style:
 * the colours are SVG attributes, which the CSP allows).
 */
import { qrSvgShape } from "../../lib/qr/qr_svg.ts";

/** Props: the text to encode and the accessible name of the image. */
export interface QrCodeProps {
  text: string;
  label: string;
}

/** Renders `text` as a scalable QR code image. */
export function QrCode({ text, label }: QrCodeProps) {
  const { viewBoxSize, path } = qrSvgShape(text);
  return (
    <svg
      class="qr"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${viewBoxSize} ${viewBoxSize}`}
      shape-rendering="crispEdges"
      role="img"
      aria-label={label}
      data-testid="qr-code"
      data-qr-text={text}
    >
      <rect width={viewBoxSize} height={viewBoxSize} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}
