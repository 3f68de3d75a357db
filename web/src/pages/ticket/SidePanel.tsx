import { useMemo, useState } from "react";
import { useOutletContext } from "react-router";
import { useListUsers, type Ticket, type TicketUpdate, type User } from "../../api/generated";
import { PRIORITIES, STATUSES } from "../../lib/views";
import { absoluteTime, relativeTime } from "../../lib/format";
import { useTicketMutations } from "../../lib/ticketMutations";
import { ErrorBanner } from "../../components/States";
import { Activity } from "./Activity";

export function SidePanel({ ticket }: { ticket: Ticket }) {
  const me = useOutletContext<User | undefined>();
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const mutations = useTicketMutations(ticket.id);
  const [tag, setTag] = useState("");
  const [updateError, setUpdateError] = useState<unknown>(null);

  const change = async (data: TicketUpdate, optimistic: Partial<Ticket>) => {
    setUpdateError(null);
    try {
      await mutations.update(data, optimistic);
    } catch (err) {
      setUpdateError(err);
    }
  };
  const assignable = useMemo(() => (users.data?.items ?? []).filter((u) => !u.disabled || u.id === ticket.assignee?.id), [users.data, ticket.assignee]);
  const setAssignee = (v: string) => {
    const uid = v === "" ? null : Number(v);
    void change({ assignee_id: uid }, { assignee: uid === null ? null : (assignable.find((u) => u.id === uid) ?? null) });
  };
  const addTag = (e: React.FormEvent) => {
    e.preventDefault();
    const t = tag.trim();
    if (!t || ticket.tags.includes(t)) return setTag("");
    void change({ tags: [...ticket.tags, t] }, { tags: [...ticket.tags, t] });
    setTag("");
  };

  return (
    <aside className="side" aria-label="Ticket details">
      <div className="card">
        <ErrorBanner error={updateError} />
        <label className="field">
          <span>Status</span>
          <select className="input" name="status" value={ticket.status} onChange={(e) => void change({ status: e.target.value as Ticket["status"] }, { status: e.target.value as Ticket["status"] })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0].toUpperCase() + s.slice(1)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Priority</span>
          <select className="input" name="priority" value={ticket.priority} onChange={(e) => void change({ priority: e.target.value as Ticket["priority"] }, { priority: e.target.value as Ticket["priority"] })}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p[0].toUpperCase() + p.slice(1)}
              </option>
            ))}
          </select>
        </label>
        <div className="field">
          <label className="label" htmlFor="assignee">
            Assignee
          </label>
          <div className="row">
            <select id="assignee" className="input" name="assignee" value={ticket.assignee?.id ?? ""} onChange={(e) => setAssignee(e.target.value)} disabled={users.isPending}>
              <option value="">Unassigned</option>
              {assignable.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name || u.email}
                  {u.id === me?.id ? " (me)" : ""}
                </option>
              ))}
            </select>
            {me && ticket.assignee?.id !== me.id && (
              <button className="btn btn-sm" type="button" onClick={() => setAssignee(String(me.id))}>
                Take it
              </button>
            )}
          </div>
        </div>
        <div className="field">
          <span className="label">Tags</span>
          <div className="row wrap">
            {ticket.tags.map((t) => (
              <span key={t} className="tag">
                {t}
                <button className="btn btn-ghost btn-sm" type="button" aria-label={`Remove tag ${t}`} onClick={() => void change({ tags: ticket.tags.filter((x) => x !== t) }, { tags: ticket.tags.filter((x) => x !== t) })}>
                  ×
                </button>
              </span>
            ))}
          </div>
          <form onSubmit={addTag}>
            <input className="input" aria-label="Add a tag" placeholder="Add a tag…" value={tag} onChange={(e) => setTag(e.target.value)} />
          </form>
        </div>
      </div>
      <div className="card">
        <h3>Requester</h3>
        <dl className="kv">
          <dt>Name</dt>
          <dd>{ticket.requester.name || "—"}</dd>
          <dt>Email</dt>
          <dd>
            <a href={`mailto:${ticket.requester.email}`}>{ticket.requester.email}</a>
          </dd>
          <dt>Opened</dt>
          <dd title={absoluteTime(ticket.created_at)}>{relativeTime(ticket.created_at)}</dd>
          {ticket.first_response_at && (
            <>
              <dt>First reply</dt>
              <dd title={absoluteTime(ticket.first_response_at)}>{relativeTime(ticket.first_response_at)}</dd>
            </>
          )}
        </dl>
      </div>
      <Activity ticketId={ticket.id} />
    </aside>
  );
}
