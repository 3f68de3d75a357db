// "Save view": keeps what the queue shows (its view, filters and search) as
// a saved view in the sidebar, personal or shared.
import { useState } from "react";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { createView, getGetViewCountsQueryKey, getListViewsQueryKey, type ListTicketsParams } from "../api/generated";
import { viewFiltersOf } from "../lib/viewcounts";
import { ErrorBanner } from "../components/States";

export function SaveView({ params }: { params: ListTicketsParams }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const qc = useQueryClient();
  const navigate = useNavigate();
  if (!open)
    return (
      <button className="btn btn-sm" type="button" onClick={() => setOpen(true)}>
        Save view
      </button>
    );
  return (
    <form
      className="row wrap"
      aria-label="Save this view"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          const v = await createView({ name, shared, filters: viewFiltersOf(params) });
          void qc.invalidateQueries({ queryKey: getListViewsQueryKey() });
          void qc.invalidateQueries({ queryKey: getGetViewCountsQueryKey() });
          setOpen(false);
          setName("");
          navigate(`/queue/view/${v.id}`);
        } catch (err) {
          setError(err);
        }
      }}
    >
      <input className="input" style={{ width: "12em" }} aria-label="View name" placeholder="View name" autoFocus value={name} onChange={(e) => setName(e.target.value)} />
      <label className="small row">
        <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> Shared
      </label>
      <button className="btn btn-sm btn-primary" type="submit" disabled={!name.trim()}>
        Save
      </button>
      <button className="btn btn-sm btn-ghost" type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
