import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { getListNotificationsQueryKey, useListNotifications, useMarkNotificationsRead, type Notification } from "../api/generated";
import { relativeTime } from "../lib/format";

export const notificationText: Record<string, string> = {
  assigned: "Assigned to you",
  customer_replied: "The customer replied",
  mentioned: "You were mentioned",
  snooze_woke: "Snoozed ticket woke",
  rule: "A rule asked to tell you",
  sla_breached: "An SLA target was missed",
};

/** Bell: the unread count, and the list of the agent's notifications (refreshed live by notification.added). */
export function Bell() {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const list = useListNotifications({ limit: 20 }, { query: { staleTime: 30_000 } });
  const markRead = useMarkNotificationsRead({
    mutation: { onSuccess: () => void qc.invalidateQueries({ queryKey: getListNotificationsQueryKey({ limit: 20 }) }) },
  });
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  const unread = list.data?.unread ?? 0;
  const items = list.data?.items ?? [];
  const read = (n: Notification) => {
    if (!n.read) markRead.mutate({ data: { ids: [n.id] } });
    setOpen(false);
  };
  return (
    <div className="bell" ref={ref}>
      <button
        className="btn btn-ghost btn-sm bell-button"
        aria-label={unread ? `Notifications: ${unread} unread` : "Notifications"}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" data-testid="bell-count">
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel" role="dialog" aria-label="Notifications">
          <div className="row bell-head">
            <strong className="spacer">Notifications</strong>
            {unread > 0 && (
              <button className="btn btn-ghost btn-sm" onClick={() => markRead.mutate({ data: {} })} disabled={markRead.isPending}>
                Mark all read
              </button>
            )}
          </div>
          {items.length === 0 ? (
            <p className="muted small">Nothing yet: you hear here when a ticket is assigned to you, its customer replies, or someone mentions you.</p>
          ) : (
            <ul className="bell-list">
              {items.map((n) => (
                <li key={n.id} className={n.read ? "read" : "unread"}>
                  <Link to={`/tickets/${n.ticket_id}`} onClick={() => read(n)}>
                    <span className="bell-kind">{notificationText[n.kind] ?? n.kind}</span>{" "}
                    <span className="muted small">{n.summary}</span>
                    <span className="bell-subject clamp">
                      #{n.ticket_id} {n.subject}
                    </span>
                    <time className="muted small" dateTime={n.created_at}>
                      {relativeTime(n.created_at)}
                    </time>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <Link to="/account" className="small" onClick={() => setOpen(false)}>
            Notification settings
          </Link>
        </div>
      )}
    </div>
  );
}
