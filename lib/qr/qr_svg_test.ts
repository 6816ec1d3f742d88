import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  QR_QUIET_ZONE,
  qrDataUrl,
  qrMatrix,
  qrPathData,
  qrSvgMarkup,
  qrSvgShape,
  QrTooLongError,
} from "./qr_svg.ts";

/** Rebuilds the dark cells a path draws (each `M x y h n v 1 h -n z` is a run of n cells). */
function cellsOfPath(path: string, quietZone = QR_QUIET_ZONE): Set<string> {
  const cells = new Set<string>();
  for (const [, x, y, n] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let i = 0; i < Number(n); i++) {
      cells.add(`${Number(y) - quietZone},${Number(x) - quietZone + i}`);
    }
  }
  return cells;
}

function darkCells(dark: boolean[][]): Set<string> {
  const cells = new Set<string>();
  dark.forEach((row, r) => row.forEach((d, c) => d && cells.add(`${r},${c}`)));
  return cells;
}

// The 7×7 finder pattern: dark ring, light ring, dark 3×3 core.
function hasFinderAt(dark: boolean[][], top: number, left: number): boolean {
  for (let r = 0; r < 7; r++) {
    for (let c = 0; c < 7; c++) {
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      if (dark[top + r][left + c] !== (ring !== 2)) return false;
    }
  }
  return true;
}

Deno.test("qrMatrix: a square code of a valid version with the three finder patterns", () => {
  const { size, dark } = qrMatrix("kayleid://verify?v=1&session_id=vs_abc&token=xyz");
  assert.equal((size - 17) % 4, 0, "size is 17 + 4 × version");
  assert.ok(size >= 21 && size <= 177);
  assert.equal(dark.length, size);
  assert.ok(
    hasFinderAt(dark, 0, 0) && hasFinderAt(dark, 0, size - 7) && hasFinderAt(dark, size - 7, 0),
  );
  assert.ok(!hasFinderAt(dark, size - 7, size - 7), "no finder in the bottom-right corner");
});

Deno.test("qrMatrix: longer text needs a larger version; the same text the same code", () => {
  const short = qrMatrix("kayleid://verify?x=1");
  const long = qrMatrix(`kayleid://verify?${"a".repeat(400)}`);
  assert.ok(long.size > short.size);
  assert.deepEqual(qrMatrix("same text"), qrMatrix("same text"));
  assert.notDeepEqual(qrMatrix("text one").dark, qrMatrix("text two").dark);
});

Deno.test("qrMatrix: refuses text beyond a version-40 code with a stable code", () => {
  assert.throws(
    () => qrMatrix("x".repeat(2332)),
    (e) => e instanceof QrTooLongError && e.code === "qr_text_too_long",
  );
  assert.doesNotThrow(() => qrMatrix("é".repeat(1100)), "2,200 UTF-8 bytes still fit");
  assert.throws(() => qrMatrix("é".repeat(1200)), QrTooLongError, "the limit counts UTF-8 bytes");
});

Deno.test("qrPathData: the path draws exactly the dark modules (property)", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 120 }), (text) => {
      const matrix = qrMatrix(text);
      assert.deepEqual(cellsOfPath(qrPathData(matrix)), darkCells(matrix.dark));
    }),
    { numRuns: 300 },
  );
});

Deno.test("qrSvgShape / qrSvgMarkup / qrDataUrl: quiet zone, no inline style, escaped title", () => {
  const shape = qrSvgShape("hello");
  assert.equal(shape.viewBoxSize, qrMatrix("hello").size + 2 * QR_QUIET_ZONE);
  const svg = qrSvgMarkup("hello", `QR "code" <for> you & me`);
  assert.match(svg, new RegExp(`viewBox="0 0 ${shape.viewBoxSize} ${shape.viewBoxSize}"`));
  assert.doesNotMatch(svg, /style=/, "the CSP forbids inline styles");
  assert.ok(svg.includes("QR &#34;code&#34; &#60;for&#62; you &#38; me"));
  const url = qrDataUrl("hello", "t");
  assert.ok(url.startsWith("data:image/svg+xml;base64,"));
  assert.equal(atob(url.slice(url.indexOf(",") + 1)), qrSvgMarkup("hello", "t"));
});
