import { Fragment } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useListUsers, useSplitMessage, type Message } from "../../api/generated";
import { useTicketMutations } from "../../lib/ticketMutations";
import { isQueueKey } from "../../lib/live";
import { MessageView } from "../../components/MessageView";
import { errorMessage } from "../../components/States";

export function Conversation({ ticketId, items }: { ticketId: number; items: Message[] }) {
  const { retry: retryDelivery } = useTicketMutations(ticketId);
  const retry = useMutation({ mutationFn: retryDelivery });
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u]));
  const qc = useQueryClient();
  const navigate = useNavigate();
  const split = useSplitMessage({
    mutation: {
      onSuccess: (t) => {
        void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) || String(q.queryKey[0]).startsWith(`/api/v1/tickets/${ticketId}`) });
        navigate(`/tickets/${t.id}`);
      },
    },
  });
  // A customer's later message can become a ticket of its own (with the replies to it).
  const firstEmail = items.find((m) => m.kind !== "note")?.id;
  return (
    <>
      {items.map((m) => (
        <Fragment key={m.id}>
          <MessageView
            m={m}
            author={m.author_id != null ? byId.get(m.author_id) : undefined}
            retrying={retry.isPending && retry.variables === m.id}
            retryError={retry.variables === m.id ? retry.error : undefined}
            onRetry={(mid) => retry.mutate(mid)}
          />
          {m.kind === "inbound" && m.id !== firstEmail && (
            <div className="row msg-actions">
              <button className="btn btn-ghost btn-sm" onClick={() => split.mutate({ id: m.id })} disabled={split.isPending}>
                Split into a new ticket
              </button>
              {split.error && split.variables?.id === m.id && <span className="small error-text">{errorMessage(split.error)}</span>}
            </div>
          )}
        </Fragment>
      ))}
    </>
  );
}
