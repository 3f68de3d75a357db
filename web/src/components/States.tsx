import { Link } from "react-router";
import { ApiError } from "../api/fetcher";

export function Loading({ label = "Loading…", rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div className="stack" role="status" aria-live="polite" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" />
      ))}
    </div>
  );
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return "Something went wrong.";
}

/** ErrorBanner shows a failed action's error, and nothing while there is none. */
export function ErrorBanner({ error }: { error: unknown }) {
  if (error == null) return null;
  return (
    <div className="banner banner-error" role="alert">
      {errorMessage(error)}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="banner banner-error row" role="alert">
      <span className="spacer">{errorMessage(error)}</span>
      {onRetry && (
        <button className="btn btn-sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="state">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

export function NotFound() {
  return (
    <div className="page-body">
      <Empty title="Nothing here">
        <p>
          This page does not exist. <Link to="/">Back to the queue</Link>
        </p>
      </Empty>
    </div>
  );
}

export function Badge({ kind, value, label }: { kind: string; value: string; label?: string }) {
  return <span className={`badge ${kind}-${value}`}>{label ?? value}</span>;
}
