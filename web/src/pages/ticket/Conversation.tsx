import { Fragment, useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { getGetMessageBodyQueryKey, getMessageBody, listMessages, useListUsers, useSplitMessage, type Message, type User } from "../../api/generated";
import { useTicketMutations } from "../../lib/ticketMutations";
import { isQueueKey } from "../../lib/live";
import { MessageView } from "../../components/MessageView";
import { errorMessage } from "../../components/States";

/**
 * The ticket's messages. The list answers a page at a time (long tickets
 * have a next page, loaded on demand) and cuts very long bodies: such a
 * message offers its whole text, fetched from the body endpoint.
 */
export function Conversation({ ticketId, items, nextCursor }: { ticketId: number; items: Message[]; nextCursor?: string | null }) {
  const { retry: retryDelivery } = useTicketMutations(ticketId);
  const retry = useMutation({ mutationFn: retryDelivery });
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u]));
  const [more, setMore] = useState<{ items: Message[]; cursor: string | null | undefined }>({ items: [], cursor: undefined });
  const cursor = more.cursor === undefined ? nextCursor : more.cursor;
  const loadMore = useMutation({
    mutationFn: (c: string) => listMessages(ticketId, { cursor: c }),
    onSuccess: (page) => setMore((m) => ({ items: [...m.items, ...page.items], cursor: page.next_cursor ?? null })),
  });
  const shown = new Set(items.map((m) => m.id));
  const all = [...items, ...more.items.filter((m) => !shown.has(m.id))];
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
  const firstEmail = all.find((m) => m.kind !== "note")?.id;
  return (
    <>
      {all.map((m) => (
        <Fragment key={m.id}>
          <WholeMessage
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
      {cursor && (
        <div className="more-messages">
          <button className="btn btn-sm" onClick={() => loadMore.mutate(cursor)} disabled={loadMore.isPending}>
            {loadMore.isPending ? "Loading…" : "Show more messages"}
          </button>
          {loadMore.error && <span className="error-text"> Could not load more messages.</span>}
        </div>
      )}
    </>
  );
}

type ViewProps = {
  m: Message;
  author?: User;
  retrying: boolean;
  retryError?: unknown;
  onRetry: (id: number) => void;
};

/** A message as listed, or whole once asked for when the list cut it. */
function WholeMessage({ m, ...rest }: ViewProps) {
  const [want, setWant] = useState(false);
  const body = useQuery({ queryKey: getGetMessageBodyQueryKey(m.id), queryFn: () => getMessageBody(m.id), enabled: want, staleTime: Infinity });
  const shown = body.data ? { ...m, ...body.data, truncated: false } : m;
  return (
    <>
      <MessageView m={shown} {...rest} />
      {m.truncated && !body.data && (
        <div className="truncated-note" role="note">
          This message is long: part of it is shown.{" "}
          <button className="btn btn-ghost btn-sm" onClick={() => setWant(true)} disabled={body.isFetching}>
            {body.isFetching ? "Loading…" : "Show the whole message"}
          </button>
          {body.error && <span className="error-text"> Could not load it.</span>}
        </div>
      )}
    </>
  );
}
