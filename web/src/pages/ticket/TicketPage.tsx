import { useEffect } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { useGetTicket, useListMessages, type Ticket } from "../../api/generated";
import { ApiError } from "../../api/fetcher";
import { isQueueKey } from "../../lib/live";
import { Badge, Empty, ErrorState, Loading } from "../../components/States";
import { Conversation } from "./Conversation";
import { Composer } from "./Composer";
import { SidePanel } from "./SidePanel";
import { SpamButton } from "./SpamButton";
import { ForwardButton } from "./Forward";
import { TicketLinks } from "./TicketLinks";
import { PresenceBar, usePresence, useTyping } from "./Presence";
import { useMe } from "../../app/session";

/**
 * TicketPage: one ticket. Another ticket is another page: moving from one
 * to the next (a split, a merge, a link) mounts it anew, so nothing of the
 * last ticket's conversation, composer or panel stays on screen.
 */
export function TicketPage() {
  const rawId = useParams().id ?? "";
  return <OneTicket key={rawId} rawId={rawId} />;
}

function OneTicket({ rawId }: { rawId: string }) {
  const id = Number(rawId);
  const valid = Number.isInteger(id) && id > 0;
  const qc = useQueryClient();
  // The queue already has the ticket: show it at once while it refreshes.
  const ticket = useGetTicket(id, { query: { enabled: valid, placeholderData: () => ticketFromQueues(qc, id) } });
  const messages = useListMessages(id, undefined, { query: { enabled: valid } });
  const navigate = useNavigate();
  // Collision detection: who else is here, and whether I am typing a reply.
  const me = useMe().data;
  const [typing, pokeTyping, stopTyping] = useTyping();
  const others = usePresence(valid ? id : 0, me?.id, typing);
  // Back: the previous page of the app, or the queue when the ticket was
  // the first page (opened from a link), never out of the app.
  const back = () => (openedFirst(window.history.state) ? navigate("/") : navigate(-1));

  useEffect(() => {
    document.title = ticket.data ? `#${ticket.data.id} ${ticket.data.subject} · Ticketer` : "Ticketer";
    return () => {
      document.title = "Ticketer";
    };
  }, [ticket.data]);
  // u or Escape: back to the queue.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return;
      if (e.key === "u" && !e.metaKey && !e.ctrlKey) back();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  if (!valid || (ticket.error instanceof ApiError && ticket.error.status === 404)) {
    return (
      <Empty title="No such ticket">
        <p>
          Ticket {rawId} does not exist. <Link to="/">Back to the queue</Link>
        </p>
      </Empty>
    );
  }
  if (ticket.error) {
    return (
      <div className="page-body">
        <ErrorState error={ticket.error} onRetry={() => ticket.refetch()} />
      </div>
    );
  }
  const t = ticket.data;
  return (
    <>
      {/* The header and who else is here stay in view while the agent scrolls down to the composer. */}
      <div className="ticket-top">
      <header className="page-head">
        <button className="btn btn-ghost btn-sm" onClick={back} aria-label="Back">
          ←
        </button>
        {t ? (
          <>
            <h1 className="clamp" title={t.subject}>
              <span className="muted">#{t.id}</span> {t.subject || "(no subject)"}
            </h1>
            <Badge kind="status" value={t.status} />
            {t.spam_at && <span className="badge plain">Spam</span>}
            <span className="spacer" />
            {t.merged_into == null && <ForwardButton ticket={t} messages={messages.data?.items ?? []} />}
            <SpamButton ticket={t} />
          </>
        ) : (
          <div className="skeleton" />
        )}
      </header>
      <PresenceBar others={others} />
      </div>
      {t?.spam_at && (
        <div className="banner banner-warning" role="status">
          This ticket is marked as spam: it is in no list but Spam, and mail from {t.requester.email} is kept as automatic mail.
        </div>
      )}
      <div className="ticket">
        <section className="conversation" aria-label="Conversation">
          {t && <TicketLinks ticket={t} />}
          {messages.isPending ? (
            <Loading rows={6} label="Loading messages" />
          ) : messages.error ? (
            <ErrorState error={messages.error} onRetry={() => messages.refetch()} />
          ) : messages.data.items.length === 0 ? (
            <Empty title="No messages yet" />
          ) : (
            <Conversation key={id} ticketId={id} items={messages.data.items} nextCursor={messages.data.next_cursor} />
          )}
          {t && t.merged_into == null && <Composer key={t.id} ticket={t} messages={messages.data?.items ?? []} onTyping={pokeTyping} onSent={stopTyping} />}
        </section>
        {t ? <SidePanel key={t.id} ticket={t} /> : <Loading rows={8} />}
      </div>
    </>
  );
}

/**
 * openedFirst: the router's history entry is the first of this tab's visit
 * to the app (React Router numbers its entries in history.state.idx; a
 * redirect replaces an entry and keeps its number).
 */
export function openedFirst(state: unknown): boolean {
  const idx = (state as { idx?: unknown } | null)?.idx;
  return typeof idx !== "number" || idx <= 0;
}

function ticketFromQueues(qc: ReturnType<typeof useQueryClient>, id: number): Ticket | undefined {
  for (const [key, data] of qc.getQueriesData<{ pages?: { items: Ticket[] }[]; items?: Ticket[] }>({ predicate: (q) => isQueueKey(q.queryKey) })) {
    if (!key || !data) continue;
    const items = data.pages ? data.pages.flatMap((p) => p.items) : (data.items ?? []);
    const t = items.find((x) => x.id === id);
    if (t) return t;
  }
  return undefined;
}
