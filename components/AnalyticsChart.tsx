/**
 * A server-rendered SVG bar chart of sessions per day (no chart script): for each day a light bar
 * of sessions created and, beside it, the day's endings stacked by outcome (succeeded, failed,
 * expired, cancelled). Colours are SVG attributes (the CSP forbids inline styles); the figures
 * are also in the table that follows the chart on the page, for screen readers.
 */
import type { ReportDay } from "../lib/sessions/analytics_report.ts";

/** Series of the stacked bar, bottom first, with their colours (WCAG AA against white). */
export const OUTCOME_SERIES = [
  ["succeeded", "#1d6b37"],
  ["failed", "#b3261e"],
  ["expired", "#8a5a00"],
  ["cancelled", "#5b6573"],
] as const;

/** Colour of the created bar. */
export const CREATED_COLOUR = "#9db4ea";

const WIDTH = 720;
const HEIGHT = 240;
const LEFT = 36;
const BOTTOM = 24;
const TOP = 8;

/** A nice axis maximum ≥ `max`. */
function axisMax(max: number): number {
  if (max <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/** The chart of `daily`, with an accessible name summarising it. */
export function AnalyticsChart({ daily, label }: { daily: ReportDay[]; label: string }) {
  const ended = (d: ReportDay) => d.succeeded + d.failed + d.expired + d.cancelled;
  const top = axisMax(Math.max(0, ...daily.map((d) => Math.max(d.created, ended(d)))));
  const plotH = HEIGHT - BOTTOM - TOP;
  const slot = (WIDTH - LEFT) / daily.length;
  const bar = Math.max(2, slot * 0.38);
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  const ticks = [0, top / 2, top];
  return (
    <svg
      class="chart"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
      data-testid="analytics-chart"
    >
      {ticks.map((t) => (
        <g key={t}>
          <line x1={LEFT} x2={WIDTH} y1={y(t)} y2={y(t)} stroke="#d5dbe3" stroke-width="1" />
          <text x={LEFT - 6} y={y(t) + 4} text-anchor="end" font-size="11" fill="#4a5666">
            {Number.isInteger(t) ? t : t.toFixed(1)}
          </text>
        </g>
      ))}
      {daily.map((d, i) => {
        const x = LEFT + i * slot + slot * 0.1;
        let base = 0;
        return (
          <g key={d.date} data-date={d.date}>
            <rect
              x={x}
              y={y(d.created)}
              width={bar}
              height={y(0) - y(d.created)}
              fill={CREATED_COLOUR}
              data-series="created"
              data-value={d.created}
            />
            {OUTCOME_SERIES.map(([series, colour]) => {
              const value = d[series];
              const rect = (
                <rect
                  key={series}
                  x={x + bar}
                  y={y(base + value)}
                  width={bar}
                  height={y(base) - y(base + value)}
                  fill={colour}
                  data-series={series}
                  data-value={value}
                />
              );
              base += value;
              return rect;
            })}
            {(i % Math.ceil(daily.length / 7) === 0 || i === daily.length - 1) && (
              <text x={x + bar} y={HEIGHT - 6} text-anchor="middle" font-size="11" fill="#4a5666">
                {d.date.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

/** The chart's legend. */
export function ChartLegend() {
  return (
    <ul class="legend">
      <li>
        <svg width="12" height="12" aria-hidden="true">
          <rect width="12" height="12" fill={CREATED_COLOUR} />
        </svg>{" "}
        created
      </li>
      {OUTCOME_SERIES.map(([series, colour]) => (
        <li key={series}>
          <svg width="12" height="12" aria-hidden="true">
            <rect width="12" height="12" fill={colour} />
          </svg>{" "}
          {series}
        </li>
      ))}
    </ul>
  );
}
