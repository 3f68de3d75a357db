import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { useMergeTicket, type Ticket } from "../../api/generated";
import { ErrorBanner } from "../../components/States";
import { isQueueKey } from "../../lib/live";

/**
 * TicketLinks: where a merged ticket went, where a split ticket came from,
 * what was split off this one; and the merge form.
 */
export function TicketLinks({ ticket }: { ticket: Ticket }) {
  const splits = ticket.splits ?? [];
  return (
    <>
      {ticket.merged_into != null && (
        <div className="banner banner-warning" role="status" data-testid="merged-banner">
          This ticket was merged into <Link to={`/tickets/${ticket.merged_into}`}>#{ticket.merged_into}</Link>: its messages and later mail are there.
        </div>
      )}
      {(ticket.split_from != null || splits.length > 0) && (
        <div className="banner" role="status" data-testid="split-banner">
          {ticket.split_from != null && (
            <>
              Split off <Link to={`/tickets/${ticket.split_from}`}>#{ticket.split_from}</Link>.{" "}
            </>
          )}
          {splits.length > 0 && (
            <>
              Split into{" "}
              {splits.map((id, i) => (
                <span key={id}>
                  {i > 0 && ", "}
                  <Link to={`/tickets/${id}`}>#{id}</Link>
                </span>
              ))}
              .
            </>
          )}
        </div>
      )}
    </>
  );
}

/** MergeForm: merge this ticket into another by its number. */
export function MergeForm({ ticket }: { ticket: Ticket }) {
  const [into, setInto] = useState("");
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const merge = useMergeTicket();
  if (ticket.merged_into != null) return null;
  if (!open) {
    return (
      <button className="btn btn-sm" onClick={() => setOpen(true)}>
        Merge into…
      </button>
    );
  }
  const target = Number(into.replace(/^#/, ""));
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    merge.mutate(
      { id: ticket.id, data: { into: target } },
      {
        onSuccess: (t) => {
          void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) || String(q.queryKey[0]).startsWith(`/api/v1/tickets/${ticket.id}`) });
          navigate(`/tickets/${t.id}`);
        },
      },
    );
  };
  return (
    <form className="stack merge-form" onSubmit={submit} aria-label="Merge">
      <label className="field">
        <span>Merge this ticket into ticket number</span>
        <input className="input" type="text" inputMode="numeric" value={into} onChange={(e) => setInto(e.target.value)} placeholder="#123" autoFocus />
      </label>
      <p className="muted small">Its messages, notes, attachments, people and tags move there; this ticket is closed and points there.</p>
      {merge.error && <ErrorBanner error={merge.error} />}
      <div className="row">
        <button className="btn btn-primary btn-sm" type="submit" disabled={!Number.isInteger(target) || target <= 0 || merge.isPending}>
          {merge.isPending ? "Merging…" : "Merge"}
        </button>
        <button className="btn btn-ghost btn-sm" type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
