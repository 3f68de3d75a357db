import { useQueryClient } from "@tanstack/react-query";
import { getGetTicketQueryKey, useMarkSpam, useRestoreSpam, type Ticket } from "../../api/generated";
import { invalidateTicket } from "../../lib/ticketMutations";
import { ErrorBanner } from "../../components/States";

/** SpamButton marks a ticket as spam (it leaves every list, its sender is blocked), or restores it. */
export function SpamButton({ ticket }: { ticket: Ticket }) {
  const qc = useQueryClient();
  const done = (t: Ticket) => {
    qc.setQueryData(getGetTicketQueryKey(t.id), t);
    invalidateTicket(qc, t.id, { detail: false });
  };
  const mark = useMarkSpam({ mutation: { onSuccess: done } });
  const restore = useRestoreSpam({ mutation: { onSuccess: done } });
  const spam = !!ticket.spam_at;
  return (
    <>
      {spam ? (
        <button className="btn btn-sm" onClick={() => restore.mutate({ id: ticket.id })} disabled={restore.isPending}>
          {restore.isPending ? "Restoring…" : "Not spam: restore"}
        </button>
      ) : (
        <button
          className="btn btn-sm btn-ghost"
          title={`Hide this ticket from every list and block ${ticket.requester.email}`}
          onClick={() => mark.mutate({ id: ticket.id })}
          disabled={mark.isPending}
        >
          {mark.isPending ? "Marking…" : "Spam"}
        </button>
      )}
      <ErrorBanner error={mark.error ?? restore.error} />
    </>
  );
}
