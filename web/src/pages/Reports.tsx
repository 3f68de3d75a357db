import { useMemo, useState } from "react";
import { BarElement, CategoryScale, Chart as ChartJS, Legend, LineElement, LinearScale, PointElement, Tooltip } from "chart.js";
import { Bar, Line } from "react-chartjs-2";
import { getGetReportSummaryUrl, useGetReportSummary, useListMailboxes, useListTeams, type GetReportSummaryParams, type ReportRow, type ReportSummary } from "../api/generated";
import { Empty, ErrorState, Loading } from "../components/States";
import { defaultFilters, exactDuration, hasBusiness, keyLabel, reportParams, timeGroup, timeSeries, volumeSeries, type ReportFilters, type Series } from "../lib/reports";

// The Reports page (loaded on first visit, with chart.js): volume and
// response times over time as charts, the figures of the chosen grouping as
// a table under them, and the same table as CSV.

ChartJS.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip, Legend);

const colors = ["#2563eb", "#16a34a", "#dc2626", "#9333ea"];

const groups: { value: ReportFilters["group"]; label: string }[] = [
  { value: "day", label: "Day" },
  { value: "week", label: "Week" },
  { value: "agent", label: "Agent" },
  { value: "team", label: "Team" },
  { value: "mailbox", label: "Mailbox" },
  { value: "tag", label: "Tag" },
];

function useReport(params: GetReportSummaryParams) {
  return useGetReportSummary(params, { query: { select: (d) => (d as ReportSummary).rows } });
}

export function ReportsPage() {
  const [filters, setFilters] = useState<ReportFilters>(() => defaultFilters(new Date()));
  const set = <K extends keyof ReportFilters>(k: K, v: ReportFilters[K]) => setFilters((f) => ({ ...f, [k]: v }));
  const mailboxes = useListMailboxes({ query: { staleTime: 60_000 } });
  const teams = useListTeams({ query: { staleTime: 60_000 } });
  const tg = timeGroup(filters);
  const timeline = useReport(reportParams(filters, tg));
  const table = useReport(reportParams(filters));
  const csv = getGetReportSummaryUrl({ ...reportParams(filters), format: "csv" });
  const error = timeline.error ?? table.error;

  return (
    <>
      <header className="page-head">
        <h1 className="spacer">Reports</h1>
        <a className="btn btn-sm" href={csv} download="ticketer-report.csv">
          Download CSV
        </a>
      </header>
      <div className="page-body reports">
        <form className="report-filters" aria-label="Report filters" onSubmit={(e) => e.preventDefault()}>
          <label className="field">
            <span>From</span>
            <input className="input" type="date" required value={filters.from} max={filters.to} onChange={(e) => e.target.value && set("from", e.target.value)} />
          </label>
          <label className="field">
            <span>To</span>
            <input className="input" type="date" required value={filters.to} min={filters.from} onChange={(e) => e.target.value && set("to", e.target.value)} />
          </label>
          <label className="field">
            <span>Mailbox</span>
            <select className="input" aria-label="Mailbox" value={filters.mailbox} onChange={(e) => set("mailbox", e.target.value)}>
              <option value="">All mailboxes</option>
              {mailboxes.data?.items.map((m) => (
                <option key={m.id} value={String(m.id)}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Team</span>
            <select className="input" aria-label="Team" value={filters.team} onChange={(e) => set("team", e.target.value)}>
              <option value="">All teams</option>
              {teams.data?.items.map((t) => (
                <option key={t.id} value={String(t.id)}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Tag</span>
            <input className="input" aria-label="Tag" placeholder="Any tag" value={filters.tag} onChange={(e) => set("tag", e.target.value)} />
          </label>
          <label className="field">
            <span>Table by</span>
            <select className="input" aria-label="Table by" value={filters.group} onChange={(e) => set("group", e.target.value as ReportFilters["group"])}>
              {groups.map((g) => (
                <option key={g.value} value={g.value}>
                  {g.label}
                </option>
              ))}
            </select>
          </label>
        </form>
        <p className="muted small">
          Calendar time, UTC. Created: tickets opened in the range. Solved: tickets whose last solve falls in the range. Re-opened: solved or closed tickets
          opened again. Response times are medians (p50) and 90th percentiles (p90), nearest rank.
          {table.data && hasBusiness(table.data) && " Business columns count only the working time of the business hours of each ticket's SLA policy."}
        </p>
        {error ? (
          <ErrorState error={error} onRetry={() => (timeline.refetch(), table.refetch())} />
        ) : (
          <>
            <div className="report-charts">
              <section className="card card-pad report-chart" aria-label="Volume">
                <h2>Volume per {tg}</h2>
                {timeline.data ? <VolumeChart rows={timeline.data} /> : <Loading rows={3} />}
              </section>
              <section className="card card-pad report-chart" aria-label="Response times">
                <h2>Response times per {tg} (hours)</h2>
                {timeline.data ? <TimesChart rows={timeline.data} /> : <Loading rows={3} />}
              </section>
            </div>
            {table.data ? <ReportTable rows={table.data} group={filters.group} /> : <Loading rows={4} />}
          </>
        )}
      </div>
    </>
  );
}

const datasets = (series: Series[], line: boolean) =>
  series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: colors[i % colors.length], borderColor: colors[i % colors.length], spanGaps: line, tension: 0.2 }));

const chartOptions = { responsive: true, maintainAspectRatio: false, animation: false as const, plugins: { legend: { position: "bottom" as const } } };

function VolumeChart({ rows }: { rows: ReportRow[] }) {
  const data = useMemo(() => {
    const v = volumeSeries(rows);
    return { labels: v.labels, datasets: datasets(v.series, false) };
  }, [rows]);
  return (
    <div className="chart-box">
      <Bar data={data} options={{ ...chartOptions, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }} aria-label="Tickets created, solved and re-opened" role="img" />
    </div>
  );
}

function TimesChart({ rows }: { rows: ReportRow[] }) {
  const data = useMemo(() => {
    const v = timeSeries(rows);
    return { labels: v.labels, datasets: datasets(v.series, true) };
  }, [rows]);
  return (
    <div className="chart-box">
      <Line data={data} options={{ ...chartOptions, scales: { y: { beginAtZero: true } } }} aria-label="First response and resolution times" role="img" />
    </div>
  );
}

function ReportTable({ rows, group }: { rows: ReportRow[]; group: string }) {
  if (rows.length === 0) return <Empty title="Nothing in this range">No ticket was created, answered or solved in it.</Empty>;
  // The latest day or week first: the one a person looks for.
  const shown = group === "day" || group === "week" ? [...rows].reverse() : rows;
  const t = (s: number | null | undefined) => <td title={s === null || s === undefined ? undefined : `${s} s`}>{exactDuration(s)}</td>;
  const business = hasBusiness(rows);
  const bt = (what: string) => <th title={`${what}, counting only the business hours of the ticket's SLA policy`}>{what} (business)</th>;
  return (
    <div className="table-scroll">
      <table className="table report-table" aria-label="Report">
        <thead>
          <tr>
            <th>{groups.find((g) => g.value === group)?.label ?? group}</th>
            <th>Created</th>
            <th>Solved</th>
            <th>Re-opened</th>
            <th>First response p50</th>
            <th>First response p90</th>
            <th>Resolution p50</th>
            <th>Resolution p90</th>
            {business && (
              <>
                {bt("First response p50")}
                {bt("First response p90")}
                {bt("Resolution p50")}
                {bt("Resolution p90")}
              </>
            )}
            <th title="satisfaction: the share of ratings that were Good">Good ratings</th>
            <th>Ratings</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.key} data-key={r.key}>
              <th scope="row">{keyLabel(group, r.key)}</th>
              <td>{r.created}</td>
              <td>{r.solved}</td>
              <td>{r.reopened}</td>
              {t(r.first_response_p50_s)}
              {t(r.first_response_p90_s)}
              {t(r.resolution_p50_s)}
              {t(r.resolution_p90_s)}
              {business && (
                <>
                  {t(r.first_response_business_p50_s)}
                  {t(r.first_response_business_p90_s)}
                  {t(r.resolution_business_p50_s)}
                  {t(r.resolution_business_p90_s)}
                </>
              )}
              <td>{r.csat_good_pct == null ? "–" : `${r.csat_good_pct}%`}</td>
              <td>{r.csat_responses}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
