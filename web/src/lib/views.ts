// Queue views: each is a set of ListTickets parameters, addressed by URL.
import { Priority, Status, type ListTicketsParams } from "../api/generated";

// The lists come from the spec's enums (generated), in the spec's order.
export const STATUSES: readonly Status[] = Object.values(Status);
export const PRIORITIES: readonly Priority[] = Object.values(Priority);
export const OPEN_STATUSES = [Status.new, Status.open, Status.pending].join(",");

/** statusLabel is a status as a title: "pending" -> "Pending". */
export function statusLabel(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

/** statusViews are the queue's one-status views; "All open" covers open. */
export const statusViews = STATUSES.filter((s) => s !== Status.open).map((s) => ({
  to: `/queue/status/${s}`,
  label: statusLabel(s),
}));

export interface View {
  title: string;
  params: ListTicketsParams;
}

/** viewFor maps a route (/queue/mine, /queue/status/pending, /queue/mailbox/3) to its filter. */
export function viewFor(kind: string, arg?: string): View | null {
  switch (kind) {
    case "mine":
      return { title: "Mine", params: { assignee: "me", status: OPEN_STATUSES } };
    case "unassigned":
      return { title: "Unassigned", params: { assignee: "none", status: OPEN_STATUSES } };
    case "open":
      return { title: "All open", params: { status: OPEN_STATUSES } };
    case "all":
      return { title: "All tickets", params: {} };
    case "spam":
      // Spam is in no other list; here it can be restored.
      return { title: "Spam", params: { spam: true } };
    case "status":
      if (!arg || !(STATUSES as readonly string[]).includes(arg)) return null;
      return { title: statusLabel(arg), params: { status: arg } };
    case "mailbox": {
      const id = Number(arg);
      if (!Number.isInteger(id) || id <= 0) return null;
      return { title: "Mailbox", params: { mailbox: id, status: OPEN_STATUSES } };
    }
  }
  return null;
}
