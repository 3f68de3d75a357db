import { describe, expect, it } from "vitest";
import { dueBadge, holidaysOf, periodsOf, span, weekForm } from "./sla";

const now = Date.parse("2026-11-02T10:00:00Z");
const sla = (due: string | null, breached: string[] = [], paused = false) => ({
  policy: "Std",
  first_response_due_at: due,
  next_response_due_at: null,
  resolution_due_at: null,
  breached,
  paused,
  due_at: due,
});

describe("dueBadge", () => {
  it.each([
    ["hours left", sla("2026-11-02T13:30:00Z"), "ok", "3h 30m"],
    ["under an hour is amber", sla("2026-11-02T10:45:00Z"), "soon", "45m"],
    ["overdue is red", sla("2026-11-02T09:50:00Z"), "breached", "10m over"],
    ["breached, another target running, is red", sla("2026-11-02T12:00:00Z", ["first_response"]), "breached", "Breached · 2h 00m"],
    ["breached and nothing running", sla(null, ["resolution"]), "breached", "Breached"],
  ])("%s", (_, s, tone, label) => {
    expect(dueBadge(s, now)).toMatchObject({ tone, label });
  });
  it("shows nothing without a clock, or while paused", () => {
    expect(dueBadge(null, now)).toBeNull();
    expect(dueBadge(sla("2026-11-02T09:00:00Z", [], true), now)).toBeNull();
    expect(dueBadge(sla(null), now)).toBeNull();
  });
});

describe("span", () => {
  it.each([
    [30_000, "<1m"],
    [5 * 60_000, "5m"],
    [(26 * 60 + 5) * 60_000, "1d 2h"],
  ])("%d ms is %s", (ms, want) => expect(span(ms)).toBe(want));
});

describe("week form", () => {
  it("round-trips the days that are on", () => {
    const periods = [
      { day: 1, start: "09:00", end: "17:00" },
      { day: 6, start: "10:00", end: "24:00" },
    ];
    const form = weekForm(periods);
    expect(form[0].on).toBe(false);
    expect(form[6]).toEqual({ on: true, start: "10:00", end: "24:00" });
    expect(periodsOf(form)).toEqual(periods);
  });
  it("reads holidays separated by commas or lines", () => {
    expect(holidaysOf("2026-12-25, 2026-12-26\n2027-01-01 ")).toEqual(["2026-12-25", "2026-12-26", "2027-01-01"]);
  });
});
