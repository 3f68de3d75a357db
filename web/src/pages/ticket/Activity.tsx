import { useMemo } from "react";
import { useListEvents, useListMessages, useListUsers, type Address } from "../../api/generated";
import { actorName, describeEvent, peopleFrom } from "../../lib/events";
import { describeThreading } from "../../lib/threading";
import { absoluteTime, relativeTime } from "../../lib/format";
import { ErrorState, Loading } from "../../components/States";

/** Activity is the ticket's audit trail, oldest first. */
export function Activity({ ticketId, requester }: { ticketId: number; requester?: Address }) {
  const events = useListEvents(ticketId);
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const people = useMemo(() => peopleFrom(users.data?.items ?? [], requester ? [requester] : []), [users.data, requester]);
  // The same query as the conversation's: one request for both.
  const messages = useListMessages(ticketId);
  // Each mail's threading decision is part of the ticket's story, in time order with the changes.
  const lines = useMemo(() => {
    const out = (events.data?.items ?? []).map((ev) => ({ key: `e${ev.id}`, at: ev.created_at, who: actorName(ev, people), title: ev.actor, what: describeEvent(ev, people) }));
    for (const m of messages.data?.items ?? []) {
      const how = describeThreading(m);
      if (how) out.push({ key: `m${m.id}`, at: m.created_at, who: m.from.name || m.from.email, title: m.from.email, what: `wrote: the mail ${how}` });
    }
    return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, [events.data, messages.data, people]);
  return (
    <div className="card">
      <h3>Activity</h3>
      {events.isPending ? (
        <Loading rows={3} />
      ) : events.error ? (
        <ErrorState error={events.error} onRetry={() => events.refetch()} />
      ) : lines.length === 0 ? (
        <span className="muted small">No changes yet.</span>
      ) : (
        <ol className="timeline">
          {lines.map((l) => (
            <li key={l.key}>
              <span>
                <strong title={l.title || undefined}>{l.who}</strong> {l.what}
              </span>
              <time dateTime={l.at} title={absoluteTime(l.at)}>
                {relativeTime(l.at)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
