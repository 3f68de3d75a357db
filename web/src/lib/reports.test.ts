import { describe, expect, it } from "vitest";
import { defaultFilters, exactDuration, hasBusiness, hours, keyLabel, reportParams, timeGroup, timeSeries, volumeSeries } from "./reports";
import type { ReportRow } from "../api/generated";

const row = (key: string, o: Partial<ReportRow> = {}): ReportRow => ({
  key,
  created: 0,
  solved: 0,
  reopened: 0,
  first_response_p50_s: null,
  first_response_p90_s: null,
  resolution_p50_s: null,
  resolution_p90_s: null,
  csat_responses: 0,
  ...o,
});

describe("reports", () => {
  it("defaults to the 30 days up to today, UTC", () => {
    expect(defaultFilters(new Date("2026-12-06T23:30:00Z"))).toEqual({ from: "2026-11-07", to: "2026-12-06", group: "day", mailbox: "", team: "", tag: "" });
  });
  it.each([
    [{ mailbox: "", team: "", tag: " " }, { from: "2026-11-01", to: "2026-11-30", group: "day" }],
    [{ mailbox: "3", team: "", tag: "vip " }, { from: "2026-11-01", to: "2026-11-30", group: "day", mailbox: 3, tag: "vip" }],
    [{ mailbox: "", team: "7", tag: "" }, { from: "2026-11-01", to: "2026-11-30", group: "day", team: 7 }],
  ])("turns filters %o into parameters", (extra, want) => {
    expect(reportParams({ from: "2026-11-01", to: "2026-11-30", group: "day", ...extra })).toEqual(want);
  });
  it("groups the charts by week past 92 days", () => {
    const f = { from: "2026-01-01", to: "2026-04-02", group: "tag" as const, mailbox: "", team: "", tag: "" };
    expect(timeGroup(f)).toBe("day"); // 92 days
    expect(timeGroup({ ...f, to: "2026-04-03" })).toBe("week");
  });
  it.each([
    [null, "–"],
    [0, "0:00:00"],
    [59, "0:00:59"],
    [3600, "1:00:00"],
    [3725, "1:02:05"],
    [86400 + 61, "1 d 0:01:01"],
    [-5, "-0:00:05"],
  ])("shows %s seconds as %s", (s, want) => {
    expect(exactDuration(s)).toBe(want);
  });
  it("charts hours with gaps where nothing was measured", () => {
    expect(hours(5400)).toBe(1.5);
    expect(hours(null)).toBeNull();
    const rows = [row("2026-11-01", { created: 2, solved: 1, reopened: 1, first_response_p50_s: 1800 }), row("2026-11-02")];
    expect(volumeSeries(rows).series.map((s) => s.data)).toEqual([[2, 0], [1, 0], [1, 0]]);
    expect(timeSeries(rows).series[0].data).toEqual([0.5, null]);
    expect(timeSeries(rows).labels).toEqual(["2026-11-01", "2026-11-02"]);
  });
  it("labels keys", () => {
    expect(keyLabel("agent", "")).toBe("(unassigned)");
    expect(keyLabel("tag", "")).toBe("(none)");
    expect(keyLabel("week", "2026-11-02")).toBe("Week of 2026-11-02");
    expect(keyLabel("mailbox", "a@x.test")).toBe("a@x.test");
  });
  it("shows business columns only when the API sent them", () => {
    const row = { key: "2026-11-02", created: 1, solved: 0, reopened: 0, first_response_p50_s: null, first_response_p90_s: null,
      resolution_p50_s: null, resolution_p90_s: null, csat_responses: 0 };
    expect(hasBusiness([row])).toBe(false);
    expect(hasBusiness([])).toBe(false);
    expect(hasBusiness([row, { ...row, first_response_business_p50_s: null }])).toBe(true);
  });
});
