// Queue views: each is a set of ListTickets parameters, addressed by URL.
import type { ListTicketsParams } from "../api/generated";

export const OPEN_STATUSES = "new,open,pending";
export const STATUSES = ["new", "open", "pending", "solved", "closed"] as const;
export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;

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
    case "status":
      if (!arg || !(STATUSES as readonly string[]).includes(arg)) return null;
      return { title: arg[0].toUpperCase() + arg.slice(1), params: { status: arg } };
    case "mailbox": {
      const id = Number(arg);
      if (!Number.isInteger(id) || id <= 0) return null;
      return { title: "Mailbox", params: { mailbox: id, status: OPEN_STATUSES } };
    }
  }
  return null;
}
