// SLA in the UI: the queue's countdown badge and the business-hours form's
// week (one working period a day) as the API's periods.
import { useEffect, useState } from "react";
import type { BusinessPeriod, TicketSLA } from "../api/generated";

export type DueTone = "ok" | "soon" | "breached";

/** SOON_MS: under an hour left, the badge turns amber. */
export const SOON_MS = 60 * 60 * 1000;

/** span writes a duration as "2d 3h", "3h 05m", "12m" (under a minute: "<1m"). */
export function span(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m < 1) return "<1m";
  const d = Math.floor(m / 1440);
  const h = Math.floor((m % 1440) / 60);
  const mm = m % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(mm).padStart(2, "0")}m`;
  return `${mm}m`;
}

/** dueBadge is the queue's countdown: red once breached (or overdue), amber under an hour, null without a running clock. */
export function dueBadge(sla: TicketSLA | null | undefined, now: number): { tone: DueTone; label: string; title: string } | null {
  if (!sla) return null;
  if (sla.paused) return null;
  if (!sla.due_at) return sla.breached.length > 0 ? { tone: "breached", label: "Breached", title: `SLA breached: ${sla.breached.join(", ")}` } : null;
  const left = Date.parse(sla.due_at) - now;
  if (left <= 0 || sla.breached.length > 0) {
    return { tone: "breached", label: left <= 0 ? `${span(left)} over` : `Breached · ${span(left)}`, title: `SLA ${sla.policy}: due ${new Date(sla.due_at).toLocaleString()}` };
  }
  return { tone: left < SOON_MS ? "soon" : "ok", label: span(left), title: `SLA ${sla.policy}: due ${new Date(sla.due_at).toLocaleString()}` };
}

/** DAYS: 0 Sunday to 6 Saturday, as the API numbers them. */
export const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

export type DayForm = { on: boolean; start: string; end: string };

/** weekForm reads the API's periods as one row per day (the first period of a day; a day without one is off). */
export function weekForm(periods: BusinessPeriod[]): DayForm[] {
  return DAYS.map((_, d) => {
    const p = periods.find((x) => x.day === d);
    return p ? { on: true, start: p.start, end: p.end } : { on: false, start: "09:00", end: "17:00" };
  });
}

/** periodsOf is the form's week as the API's periods: the days that are on. */
export function periodsOf(week: DayForm[]): BusinessPeriod[] {
  return week.flatMap((w, d) => (w.on ? [{ day: d, start: w.start, end: w.end }] : []));
}

/** holidaysOf reads a comma- or line-separated list of dates. */
export function holidaysOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** useNow is the time, renewed every `ms` (a countdown's clock). */
export function useNow(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}
