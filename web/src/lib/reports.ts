import type { GetReportSummaryParams, ReportRow } from "../api/generated";

// Pure logic of the Reports page: the filters as API parameters, the
// charts' series, and durations shown exactly.

export type ReportFilters = {
  from: string; // YYYY-MM-DD, first day included
  to: string; // YYYY-MM-DD, last day included
  group: NonNullable<GetReportSummaryParams["group"]>;
  mailbox: string; // mailbox id, "" for all
  team: string; // team id, "" for all
  tag: string;
};

export type TimeGroup = "day" | "week";

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** defaultFilters: the 30 days up to today (UTC, as the report counts them). */
export function defaultFilters(now: Date): ReportFilters {
  const from = new Date(now.getTime() - 29 * 86400_000);
  return { from: isoDay(from), to: isoDay(now), group: "day", mailbox: "", team: "", tag: "" };
}

/** reportParams: the API parameters of filters, for a given grouping. */
export function reportParams(f: ReportFilters, group: GetReportSummaryParams["group"] = f.group): GetReportSummaryParams {
  const p: GetReportSummaryParams = { from: f.from, to: f.to, group };
  if (f.mailbox) p.mailbox = Number(f.mailbox);
  if (f.team) p.team = Number(f.team);
  if (f.tag.trim()) p.tag = f.tag.trim();
  return p;
}

/** timeGroup: the charts' time axis is days, or weeks past 92 days (a day axis gets unreadable). */
export function timeGroup(f: ReportFilters): TimeGroup {
  const days = (Date.parse(f.to) - Date.parse(f.from)) / 86400_000 + 1;
  return days > 92 ? "week" : "day";
}

/** exactDuration: seconds as "[N d ]H:MM:SS", every second shown; "–" for none. */
export function exactDuration(s: number | null | undefined): string {
  if (s === null || s === undefined) return "–";
  const sign = s < 0 ? "-" : "";
  let v = Math.abs(s);
  const d = Math.floor(v / 86400);
  v -= d * 86400;
  const h = Math.floor(v / 3600);
  const m = Math.floor((v % 3600) / 60);
  const sec = v % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${sign}${d > 0 ? `${d} d ` : ""}${h}:${two(m)}:${two(sec)}`;
}

/** hours: seconds as hours for a chart's axis (null stays a gap). */
export const hours = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.round((s / 3600) * 100) / 100);

export type Series = { label: string; data: (number | null)[] };

/** volumeSeries: created, solved and re-opened per period, for the bar chart. */
export function volumeSeries(rows: ReportRow[]): { labels: string[]; series: Series[] } {
  return {
    labels: rows.map((r) => r.key),
    series: [
      { label: "Created", data: rows.map((r) => r.created) },
      { label: "Solved", data: rows.map((r) => r.solved) },
      { label: "Re-opened", data: rows.map((r) => r.reopened) },
    ],
  };
}

/** timeSeries: the response-time medians and 90th percentiles in hours, for the line chart. */
export function timeSeries(rows: ReportRow[]): { labels: string[]; series: Series[] } {
  return {
    labels: rows.map((r) => r.key),
    series: [
      { label: "First response p50 (h)", data: rows.map((r) => hours(r.first_response_p50_s)) },
      { label: "First response p90 (h)", data: rows.map((r) => hours(r.first_response_p90_s)) },
      { label: "Resolution p50 (h)", data: rows.map((r) => hours(r.resolution_p50_s)) },
      { label: "Resolution p90 (h)", data: rows.map((r) => hours(r.resolution_p90_s)) },
    ],
  };
}

/** keyLabel: a row's key as a person reads it. */
export function keyLabel(group: string, key: string): string {
  if (key !== "") return group === "week" ? `Week of ${key}` : key;
  return group === "agent" ? "(unassigned)" : "(none)";
}

/** hasBusiness: the report has business-seconds columns (the API sends them only when business hours exist). */
export function hasBusiness(rows: ReportRow[]): boolean {
  return rows.some((r) => r.first_response_business_p50_s !== undefined);
}
