// The sidebar's counts (GET /api/v1/views/counts) and where an agent lands
// after signing in.
import type { ListTicketsParams, ViewFilters } from "../api/generated";

/** countKey is the counts key of a sidebar route, or null. */
export function countKey(to: string): string | null {
  const m = /^\/queue\/(mine|unassigned|open|status|mailbox|view)(?:\/([^/]+))?$/.exec(to);
  if (!m) return null;
  const [, kind, arg] = m;
  if (kind === "mine" || kind === "unassigned" || kind === "open") return arg ? null : kind;
  return arg ? `${kind}:${arg}` : null;
}

/** formatCount is a count as the sidebar shows it: 7, 1.2k, 10k+ (at the cap). */
export function formatCount(n: number | undefined, cap: number): string {
  if (n === undefined) return "";
  if (n >= cap) return `${Math.floor(cap / 1000)}k+`;
  if (n < 1000) return String(n);
  return `${(n / 1000).toFixed(1).replace(/\.0$/, "")}k`;
}

/** landingPath: "Mine" only when the agent holds tickets to work on, else "Unassigned". */
export function landingPath(counts: Record<string, number> | undefined): string {
  return (counts?.mine ?? 0) > 0 ? "/queue/mine" : "/queue/unassigned";
}

/** savedViewParams turns a saved view's filters into the ticket list's parameters. */
export function savedViewParams(f: ViewFilters): ListTicketsParams {
  const out: ListTicketsParams = {};
  if (f.status) out.status = f.status;
  if (f.assignee) out.assignee = f.assignee;
  if (f.mailbox) out.mailbox = f.mailbox;
  if (f.tag) out.tag = f.tag;
  if (f.requester) out.requester = f.requester;
  if (f.q) out.q = f.q;
  if (f.team) out.team = f.team;
  return out;
}

/** viewFiltersOf is the reverse: what a queue shows, to save as a view. */
export function viewFiltersOf(p: ListTicketsParams): ViewFilters {
  const out: ViewFilters = {};
  if (p.status) out.status = p.status;
  if (p.assignee) out.assignee = p.assignee;
  if (p.mailbox) out.mailbox = p.mailbox;
  if (p.tag) out.tag = p.tag;
  if (p.requester) out.requester = p.requester;
  if (p.q) out.q = p.q;
  if (p.team) out.team = p.team;
  return out;
}
