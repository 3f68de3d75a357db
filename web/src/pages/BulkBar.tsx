// The bar over the queue while tickets are selected: one change for all of
// them (POST /api/v1/tickets/bulk). Tickets the rules refuse are left alone
// and counted in the message.
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { bulkUpdateTickets, markSpam, Status, useListTeams, useListUsers, type BulkUpdate } from "../api/generated";
import { isQueueKey } from "../lib/live";
import { PRIORITIES, statusLabel } from "../lib/views";
import { displayName } from "../lib/format";
import { ErrorBanner } from "../components/States";

const BULK_STATUSES = [Status.open, Status.pending, Status.solved, Status.closed];

function tagList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** bulkMessage: "12 tickets changed", with the ones left alone. */
export function bulkMessage(updated: number, skipped: number): string {
  const changed = `${updated} ${updated === 1 ? "ticket" : "tickets"} changed`;
  return skipped ? `${changed}, ${skipped} left as they were` : changed;
}

/**
 * markAllSpam marks each ticket as spam (POST /tickets/{id}/spam, one at a
 * time); it reports how many were marked and which failed.
 */
export async function markAllSpam(ids: number[]): Promise<{ marked: number; failed: number[] }> {
  let marked = 0;
  const failed: number[] = [];
  for (const id of ids) {
    try {
      await markSpam(id);
      marked++;
    } catch {
      failed.push(id);
    }
  }
  return { marked, failed };
}

/** spamMessage: "3 tickets marked as spam", with the ones that failed. */
export function spamMessage(marked: number, failed: number): string {
  const done = `${marked} ${marked === 1 ? "ticket" : "tickets"} marked as spam`;
  return failed ? `${done}, ${failed} could not be` : done;
}

export function BulkBar({ ids, onDone, onClear }: { ids: number[]; onDone: (message: string) => void; onClear: () => void }) {
  const qc = useQueryClient();
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const teams = useListTeams({ query: { staleTime: 60_000 } });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tagsAdd, setTagsAdd] = useState("");
  const [tagsRemove, setTagsRemove] = useState("");

  const apply = async (change: Omit<BulkUpdate, "ids">) => {
    setBusy(true);
    setError(null);
    try {
      const r = await bulkUpdateTickets({ ids, ...change });
      void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) });
      setTagsAdd("");
      setTagsRemove("");
      onDone(bulkMessage(r.updated, r.skipped.length));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const spam = async () => {
    setBusy(true);
    setError(null);
    const r = await markAllSpam(ids);
    void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) });
    setBusy(false);
    onDone(spamMessage(r.marked, r.failed.length));
  };

  return (
    <div className="bulk-bar" role="toolbar" aria-label="Change the selected tickets">
      <strong data-testid="bulk-count">{ids.length} selected</strong>
      <select className="input select" aria-label="Set status" value="" disabled={busy} onChange={(e) => e.target.value && void apply({ status: e.target.value as Status })}>
        <option value="">Status…</option>
        {BULK_STATUSES.map((s) => (
          <option key={s} value={s}>
            {statusLabel(s)}
          </option>
        ))}
      </select>
      <select className="input select" aria-label="Set priority" value="" disabled={busy} onChange={(e) => e.target.value && void apply({ priority: e.target.value as BulkUpdate["priority"] })}>
        <option value="">Priority…</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {statusLabel(p)}
          </option>
        ))}
      </select>
      <select
        className="input select"
        aria-label="Set assignee"
        value=""
        disabled={busy}
        onChange={(e) => e.target.value && void apply({ assignee_id: e.target.value === "none" ? null : Number(e.target.value) })}
      >
        <option value="">Assignee…</option>
        <option value="none">Unassigned</option>
        {(users.data?.items ?? [])
          .filter((u) => !u.disabled)
          .map((u) => (
            <option key={u.id} value={u.id}>
              {displayName(u)}
            </option>
          ))}
      </select>
      <select
        className="input select"
        aria-label="Set team"
        value=""
        disabled={busy}
        title="Moving tickets to a team with automatic assignment gives the unassigned ones to its agents"
        onChange={(e) => e.target.value && void apply({ team_id: e.target.value === "none" ? null : Number(e.target.value) })}
      >
        <option value="">Team…</option>
        <option value="none">No team</option>
        {(teams.data?.items ?? []).map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          const add = tagList(tagsAdd);
          const remove = tagList(tagsRemove);
          if (add.length || remove.length) void apply({ tags_add: add, tags_remove: remove });
        }}
      >
        <input className="input" aria-label="Tags to add" placeholder="+ tags" value={tagsAdd} onChange={(e) => setTagsAdd(e.target.value)} />
        <input className="input" aria-label="Tags to remove" placeholder="− tags" value={tagsRemove} onChange={(e) => setTagsRemove(e.target.value)} />
        <button className="btn btn-sm" type="submit" disabled={busy || (!tagsAdd.trim() && !tagsRemove.trim())}>
          Apply tags
        </button>
      </form>
      <button className="btn btn-sm" type="button" disabled={busy} onClick={() => void spam()} title="Mark every selected ticket as spam (they leave the queue)">
        Mark spam
      </button>
      <div className="spacer" />
      <button className="btn btn-ghost btn-sm" type="button" onClick={onClear}>
        Clear selection
      </button>
      <ErrorBanner error={error} />
    </div>
  );
}
