import { useListEvents } from "../../api/generated";
import { firedRules } from "../../lib/ruleform";
import { absoluteTime, relativeTime } from "../../lib/format";

/** RulesFired lists the automation rules that acted on the ticket (from its events; the same query as the activity's). */
export function RulesFired({ ticketId }: { ticketId: number }) {
  const events = useListEvents(ticketId);
  const fired = firedRules(events.data?.items ?? []);
  if (fired.length === 0) return null;
  return (
    <div className="card" aria-label="Rules that fired">
      <h3>Rules that fired</h3>
      <ul className="fired">
        {fired.map((r) => (
          <li key={r.name}>
            <span>
              {r.name}
              {r.failed && <span className="muted"> (could not do everything)</span>}
            </span>
            <time dateTime={r.at} title={absoluteTime(r.at)} className="muted small">
              {relativeTime(r.at)}
            </time>
          </li>
        ))}
      </ul>
    </div>
  );
}
