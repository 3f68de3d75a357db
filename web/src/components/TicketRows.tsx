import { Link } from "react-router";
import type { Ticket } from "../api/generated";
import { Badge } from "./States";
import { relativeTime } from "../lib/format";

/** TicketRows: a short ticket list (status, subject, last change), as the contact and organisation pages show it. */
export function TicketRows({ tickets }: { tickets: readonly Ticket[] }) {
  if (tickets.length === 0) return <p className="muted">No tickets.</p>;
  return (
    <ul className="contact-tickets">
      {tickets.map((t) => (
        <li key={t.id} className="row">
          <Badge kind="status" value={t.status} />
          <Link to={`/tickets/${t.id}`} className="spacer clamp">
            <span className="muted">#{t.id}</span> {t.subject || "(no subject)"}
          </Link>
          <span className="muted small">{relativeTime(t.updated_at)}</span>
        </li>
      ))}
    </ul>
  );
}
