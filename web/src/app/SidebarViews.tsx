// The sidebar's views with their counts (live: the stream's events make the
// counts stale like any queue), and the saved views; the landing route.
import { Navigate, NavLink } from "react-router";
import { useGetViewCounts, useListViews, type ViewCounts } from "../api/generated";
import { countKey, formatCount, landingPath } from "../lib/viewcounts";
import { Loading } from "../components/States";

export function useViewCounts(enabled = true) {
  return useGetViewCounts({ query: { enabled, staleTime: 5_000, refetchInterval: 60_000 } });
}

/** ViewLink is a sidebar link with its count. */
export function ViewLink({ to, label, counts, title }: { to: string; label: string; counts?: ViewCounts; title?: string }) {
  const key = countKey(to);
  const n = key && counts ? counts.counts[key] : undefined;
  return (
    <NavLink to={to} className="nav-link" title={title}>
      <span className="nav-text">{label}</span>
      {n !== undefined && (
        <span className={`nav-count${n === 0 ? " zero" : ""}`} data-testid={`count-${key}`} aria-label={`${n} tickets`}>
          {formatCount(n, counts!.cap)}
        </span>
      )}
    </NavLink>
  );
}

/** SavedViews lists the agent's views and the shared ones, each with its count. */
export function SavedViews({ counts, enabled }: { counts?: ViewCounts; enabled: boolean }) {
  const views = useListViews({ query: { enabled, staleTime: 30_000 } });
  const list = views.data?.items ?? [];
  if (list.length === 0) return null;
  return (
    <>
      <div className="nav-section">Saved views</div>
      {list.map((v) => (
        <ViewLink key={v.id} to={`/queue/view/${v.id}`} label={v.name} counts={counts} title={v.shared ? "Shared view" : "Your view"} />
      ))}
    </>
  );
}

/** Landing sends a signed-in agent to "Mine" when they hold open tickets, else to "Unassigned". */
export function Landing() {
  const counts = useViewCounts();
  if (counts.isPending) return <Loading rows={6} label="Loading your views" />;
  return <Navigate to={landingPath(counts.data?.counts)} replace />;
}
