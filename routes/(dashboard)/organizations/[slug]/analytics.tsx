/**
 * `/organizations/:slug/analytics?days=14|30`: sessions of the dashboard's mode per day as a
 * server-rendered SVG chart, the conversion rate, the top failure codes and the median time to
 * complete (docs/dashboard.md "Analytics"), from the counters of lib/sessions/analytics.ts.
 */
import { define, page } from "../../../../lib/framework/define.ts";
import { viewScope } from "../../../../lib/accounts/dashboard_mode.ts";
import {
  type AnalyticsReport,
  durationText,
  getAnalyticsReport,
  REPORT_WINDOWS,
  type ReportWindow,
} from "../../../../lib/sessions/analytics_report.ts";
import { OrgNav } from "../../../../components/OrgNav.tsx";
import { AnalyticsChart, ChartLegend } from "../../../../components/AnalyticsChart.tsx";
import { TableScroll } from "../../../../components/TableScroll.tsx";

interface Data {
  report: AnalyticsReport;
}

/** `12.5 %`, or a dash. */
function percent(rate: number | null): string {
  return rate === null ? "—" : `${(Math.round(rate * 1000) / 10).toFixed(1)} %`;
}

export const handler = define.handlers<Data>({
  async GET(c) {
    const asked = Number(c.req.query("days") ?? 14);
    const days: ReportWindow = (REPORT_WINDOWS as readonly number[]).includes(asked)
      ? asked as ReportWindow
      : 14;
    const { kv, clock } = c.var.deps;
    const report = await getAnalyticsReport(kv, viewScope(c), clock.now(), days);
    return page({ report }, { title: `Analytics · ${c.var.org!.name}` });
  },
});

export default define.page<Data>(function Analytics({ data, state }) {
  const org = state.org!;
  const r = data.report;
  const modeName = state.dashboardMode === "live" ? "live" : "test";
  return (
    <>
      <OrgNav org={org} current="/analytics" />
      <section class="card">
        <h1>Analytics</h1>
        <nav class="row" aria-label="Period">
          {REPORT_WINDOWS.map((d) => (
            <a
              key={d}
              href={`/organizations/${org.slug}/analytics?days=${d}`}
              aria-current={d === r.days ? "page" : undefined}
            >
              Last {d} days
            </a>
          ))}
        </nav>
        <dl class="headline" data-testid="headline">
          <div>
            <dt>Sessions created</dt>
            <dd data-figure="created">{r.totals.created}</dd>
          </div>
          <div>
            <dt>Conversion rate</dt>
            <dd data-figure="conversion">{percent(r.conversionRate)}</dd>
          </div>
          <div>
            <dt>Median time to complete</dt>
            <dd data-figure="median">
              {r.medianSecondsToComplete === null ? "—" : durationText(r.medianSecondsToComplete)}
            </dd>
          </div>
          <div>
            <dt>Succeeded / failed / expired / cancelled</dt>
            <dd data-figure="outcomes">
              {r.totals.succeeded} / {r.totals.failed} / {r.totals.expired} / {r.totals.cancelled}
            </dd>
          </div>
        </dl>
        <p class="muted">
          {modeName === "live" ? "Live" : "Test"}{" "}
          sessions, UTC days. Conversion rate: sessions that succeeded among those that ended in the
          period. Time to complete: from creation to the final verdict, median of completed sessions
          ({r.completedTimed}), to the nearest bucket.
        </p>
      </section>
      <section class="card">
        <h2>Sessions per day</h2>
        <AnalyticsChart
          daily={r.daily}
          label={`Sessions per day over the last ${r.days} days: ${r.totals.created} created, ` +
            `${r.totals.succeeded} succeeded, ${r.totals.failed} failed, ${r.totals.expired} ` +
            `expired, ${r.totals.cancelled} cancelled. The table below has every day.`}
        />
        <ChartLegend />
        <details>
          <summary>Figures per day</summary>
          <TableScroll label="Sessions by day">
            <table data-testid="daily-table">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Created</th>
                  <th scope="col">Succeeded</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Expired</th>
                  <th scope="col">Cancelled</th>
                </tr>
              </thead>
              <tbody>
                {r.daily.map((d) => (
                  <tr key={d.date}>
                    <th scope="row">{d.date}</th>
                    <td>{d.created}</td>
                    <td>{d.succeeded}</td>
                    <td>{d.failed}</td>
                    <td>{d.expired}</td>
                    <td>{d.cancelled}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </details>
      </section>
      <section class="card">
        <h2>Top failure codes</h2>
        {r.topFailureCodes.length === 0
          ? <p>No failed attempts in this period.</p>
          : (
            <TableScroll label="Failure codes">
              <table data-testid="failure-codes">
                <thead>
                  <tr>
                    <th scope="col">Failure code</th>
                    <th scope="col">Failed attempts</th>
                  </tr>
                </thead>
                <tbody>
                  {r.topFailureCodes.map((f) => (
                    <tr key={f.code}>
                      <td>
                        <code>{f.code}</code>
                      </td>
                      <td>{f.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
      </section>
    </>
  );
});
