import { Fragment, useMemo, useState } from "react";
import { Link, useOutletContext } from "react-router";
import { useGetContact, useListTeams, useListUsers, type Ticket, type TicketSLA, type TicketUpdate, type User } from "../../api/generated";
import { PRIORITIES } from "../../lib/views";
import { closeSteps, statusChoices, tagProblem } from "../../lib/rules";
import { absoluteTime, relativeTime } from "../../lib/format";
import { useTicketMutations } from "../../lib/ticketMutations";
import { ErrorBanner } from "../../components/States";
import { MergeForm } from "./TicketLinks";
import { Activity } from "./Activity";
import { RulesFired } from "./RulesFired";
import { SnoozeControl } from "./Snooze";

export function SidePanel({ ticket }: { ticket: Ticket }) {
  const me = useOutletContext<User | undefined>();
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const teams = useListTeams({ query: { staleTime: 60_000 } });
  const mutations = useTicketMutations(ticket.id);
  const [tag, setTag] = useState("");
  const [updateError, setUpdateError] = useState<unknown>(null);

  // A failed change shows its error until the next change succeeds.
  const change = async (data: TicketUpdate, optimistic: Partial<Ticket>): Promise<boolean> => {
    try {
      await mutations.update(data, optimistic);
      setUpdateError(null);
      return true;
    } catch (err) {
      setUpdateError(err);
      return false;
    }
  };
  const setStatus = (s: Ticket["status"]) => change({ status: s }, { status: s });
  const close = async () => {
    for (const s of closeSteps(ticket.status)) if (!(await setStatus(s))) return;
  };
  // Enabled agents (and a disabled one still assigned), the signed-in one first, once.
  const assignable = useMemo(() => {
    const list = (users.data?.items ?? []).filter((u) => !u.disabled || u.id === ticket.assignee?.id);
    return [...list.filter((u) => u.id === me?.id), ...list.filter((u) => u.id !== me?.id)];
  }, [users.data, ticket.assignee, me?.id]);
  const setAssignee = (v: string) => {
    const uid = v === "" ? null : Number(v);
    void change({ assignee_id: uid }, { assignee: uid === null ? null : (assignable.find((u) => u.id === uid) ?? null) });
  };
  const setTeam = (v: string) => {
    const id = v === "" ? null : Number(v);
    const t = teams.data?.items.find((x) => x.id === id);
    void change({ team_id: id }, { team: t ? { id: t.id, name: t.name } : null });
  };
  // The rule is explained while typing; the text stays until the tag is added.
  const problem = tagProblem(tag);
  const addTag = async (e: React.FormEvent) => {
    e.preventDefault();
    const t = tag.trim().toLowerCase();
    if (problem) return;
    if (!t || ticket.tags.includes(t)) return setTag("");
    if (await change({ tags: [...ticket.tags, t] }, { tags: [...ticket.tags, t] })) setTag("");
  };

  return (
    <aside className="side" aria-label="Ticket details">
      <div className="card">
        <ErrorBanner error={updateError} />
        <div className="field">
          <label className="label" htmlFor="status">
            Status
          </label>
          <div className="row">
            <select id="status" className="input" name="status" value={ticket.status} onChange={(e) => void setStatus(e.target.value as Ticket["status"])}>
              {statusChoices(ticket.status).map((s) => (
                <option key={s} value={s}>
                  {s[0].toUpperCase() + s.slice(1)}
                </option>
              ))}
            </select>
            {ticket.status === "closed" ? (
              <button className="btn btn-sm" type="button" onClick={() => void setStatus("open")}>
                Reopen
              </button>
            ) : (
              <button className="btn btn-sm" type="button" onClick={() => void close()} title={ticket.status === "solved" ? "Close the ticket" : "Mark the ticket solved, then close it"}>
                Close
              </button>
            )}
          </div>
        </div>
        <SnoozeControl ticket={ticket} change={change} />
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
        {((teams.data?.items.length ?? 0) > 0 || ticket.team) && (
          <label className="field">
            <span>Team</span>
            <select className="input" name="team" value={ticket.team?.id ?? ""} onChange={(e) => setTeam(e.target.value)} disabled={teams.isPending}>
              <option value="">No team</option>
              {ticket.team && !teams.data?.items.some((t) => t.id === ticket.team!.id) && <option value={ticket.team.id}>{ticket.team.name}</option>}
              {teams.data?.items.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="field">
          <span className="label">Tags</span>
          <div className="row wrap">
            {ticket.tags.map((t) => (
              <span key={t} className="tag">
                <Link to={`/queue/all?tag=${encodeURIComponent(t)}`} title={`Every ticket tagged ${t}`}>
                  {t}
                </Link>
                <button className="btn btn-ghost btn-sm" type="button" aria-label={`Remove tag ${t}`} onClick={() => void change({ tags: ticket.tags.filter((x) => x !== t) }, { tags: ticket.tags.filter((x) => x !== t) })}>
                  ×
                </button>
              </span>
            ))}
          </div>
          <form onSubmit={(e) => void addTag(e)}>
            <input className="input" aria-label="Add a tag" aria-invalid={!!problem} aria-describedby="tag-rule" placeholder="Add a tag…" value={tag} onChange={(e) => setTag(e.target.value)} />
          </form>
          {problem && (
            <span id="tag-rule" className="error-text" role="note">
              {problem}
            </span>
          )}
        </div>
      </div>
      <div className="card">
        <h3>Requester</h3>
        <dl className="kv">
          <dt>Name</dt>
          <dd>
            {ticket.requester_id ? <Link to={`/contacts/${ticket.requester_id}`}>{ticket.requester.name || ticket.requester.email}</Link> : ticket.requester.name || "—"}
          </dd>
          {ticket.requester_id ? <RequesterExtra ticket={ticket} /> : null}
          <dt>Email</dt>
          <dd>
            <a href={`mailto:${ticket.requester.email}`}>{ticket.requester.email}</a>
          </dd>
          <dt>Tickets</dt>
          <dd>
            <Link to={`/queue/all?requester=${encodeURIComponent(ticket.requester.email)}`}>All from this requester</Link>
          </dd>
          <dt>Opened</dt>
          <dd title={absoluteTime(ticket.created_at)}>{relativeTime(ticket.created_at)}</dd>
          {ticket.first_response_at && (
            <>
              <dt>First reply</dt>
              <dd title={absoluteTime(ticket.first_response_at)}>{relativeTime(ticket.first_response_at)}</dd>
            </>
          )}
          {ticket.csat && (
            <>
              <dt>Satisfaction</dt>
              <dd data-testid="csat" title={absoluteTime(ticket.csat.at)}>
                <span className={ticket.csat.rating === "good" ? "csat csat-good" : "csat csat-bad"}>{ticket.csat.rating === "good" ? "Good" : "Bad"}</span>{" "}
                <span className="muted">{relativeTime(ticket.csat.at)}</span>
                {ticket.csat.comment && <q className="csat-comment">{ticket.csat.comment}</q>}
              </dd>
            </>
          )}
        </dl>
      </div>
      {ticket.sla && <SLADues sla={ticket.sla} />}
      {ticket.merged_into == null && (
        <div className="card card-pad">
          <MergeForm ticket={ticket} />
        </div>
      )}
      <RulesFired ticketId={ticket.id} />
      <Activity ticketId={ticket.id} requester={ticket.requester} />
    </aside>
  );
}

/** SLADues shows the ticket's SLA due times (its policy, what is running, what was breached). */
function SLADues({ sla }: { sla: TicketSLA }) {
  const rows: [string, string, string | null | undefined][] = [
    ["first_response", "First response", sla.first_response_due_at],
    ["next_response", "Next response", sla.next_response_due_at],
    ["resolution", "Resolution", sla.resolution_due_at],
  ];
  return (
    <div className="card card-pad stack" aria-label="SLA">
      <h2 className="label">
        SLA · {sla.policy}
        {sla.paused && <span className="badge plain sla-ok"> paused (pending)</span>}
      </h2>
      <dl className="kv sla-dues">
        {rows.map(([key, label, due]) => {
          const breached = sla.breached.includes(key);
          if (!due && !breached) return null;
          return (
            <Fragment key={key}>
              <dt>{label}</dt>
              <dd className={breached ? "sla-breached-at" : undefined} title={due ? absoluteTime(due) : undefined}>
                {due ? `due ${relativeTime(due)}` : "met late"}
                {breached && " · breached"}
              </dd>
            </Fragment>
          );
        })}
      </dl>
      {!sla.due_at && sla.breached.length === 0 && !sla.paused && <span className="muted small">Every target met.</span>}
    </div>
  );
}

/** RequesterExtra: the requester's organisation and how many other tickets of theirs are open. */
function RequesterExtra({ ticket }: { ticket: Ticket }) {
  const contact = useGetContact(ticket.requester_id ?? 0, { query: { staleTime: 30_000 } });
  const c = contact.data;
  if (!c) return null;
  const open = ticket.status !== "solved" && ticket.status !== "closed";
  const others = Math.max(0, c.open_tickets - (open ? 1 : 0));
  return (
    <>
      <dt>Organisation</dt>
      <dd>{c.organisation?.name ?? "—"}</dd>
      <dt>Other open</dt>
      <dd data-testid="requester-other-open">
        <Link to={`/contacts/${c.id}`}>
          {others} other open {others === 1 ? "ticket" : "tickets"}
        </Link>
      </dd>
    </>
  );
}
