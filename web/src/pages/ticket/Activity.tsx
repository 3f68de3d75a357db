import { useMemo } from "react";
import { useListEvents, useListUsers, type Address } from "../../api/generated";
import { actorName, describeEvent, peopleFrom } from "../../lib/events";
import { absoluteTime, relativeTime } from "../../lib/format";
import { ErrorState, Loading } from "../../components/States";

/** Activity is the ticket's audit trail, oldest first. */
export function Activity({ ticketId, requester }: { ticketId: number; requester?: Address }) {
  const events = useListEvents(ticketId);
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const people = useMemo(() => peopleFrom(users.data?.items ?? [], requester ? [requester] : []), [users.data, requester]);
  return (
    <div className="card">
      <h3>Activity</h3>
      {events.isPending ? (
        <Loading rows={3} />
      ) : events.error ? (
        <ErrorState error={events.error} onRetry={() => events.refetch()} />
      ) : events.data.items.length === 0 ? (
        <span className="muted small">No changes yet.</span>
      ) : (
        <ol className="timeline">
          {events.data.items.map((ev) => (
            <li key={ev.id}>
              <span>
                <strong title={ev.actor || undefined}>{actorName(ev, people)}</strong> {describeEvent(ev, people)}
              </span>
              <time dateTime={ev.created_at} title={absoluteTime(ev.created_at)}>
                {relativeTime(ev.created_at)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
