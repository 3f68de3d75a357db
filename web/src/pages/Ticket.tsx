import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useOutletContext, useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  createReply,
  getGetTicketQueryKey,
  getListEventsQueryKey,
  getListMessagesQueryKey,
  useCreateNote,
  useGetTicket,
  useListEvents,
  useListMessages,
  useListUsers,
  useRetryMessage,
  updateTicket,
  type Message,
  type Ticket,
  type TicketUpdate,
  type User,
} from "../api/generated";
import { isQueueKey } from "../lib/live";
import { PRIORITIES, STATUSES } from "../lib/views";
import { absoluteTime, displayName, formatBytes, parseAddressList, relativeTime } from "../lib/format";
import { MessageView } from "../components/MessageView";
import { ApiError } from "../api/fetcher";
import { Badge, Empty, ErrorState, Loading, ErrorBanner } from "../components/States";

export function TicketPage() {
  const rawId = useParams().id ?? "";
  const id = Number(rawId);
  const valid = Number.isInteger(id) && id > 0;
  const qc = useQueryClient();
  // The queue already has the ticket: show it at once while it refreshes.
  const ticket = useGetTicket(id, { query: { enabled: valid, placeholderData: () => ticketFromQueues(qc, id) } });
  const messages = useListMessages(id, { query: { enabled: valid } });
  const navigate = useNavigate();

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
      if (e.key === "u" && !e.metaKey && !e.ctrlKey) navigate(-1);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [navigate]);

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
      <header className="page-head">
        <button className="btn btn-ghost btn-sm" onClick={() => navigate(-1)} aria-label="Back">
          ←
        </button>
        {t ? (
          <>
            <h1>
              <span className="muted">#{t.id}</span> {t.subject || "(no subject)"}
            </h1>
            <Badge kind="status" value={t.status} />
          </>
        ) : (
          <div className="skeleton" />
        )}
      </header>
      <div className="ticket">
        <section className="conversation" aria-label="Conversation">
          {messages.isPending ? (
            <Loading rows={6} label="Loading messages" />
          ) : messages.error ? (
            <ErrorState error={messages.error} onRetry={() => messages.refetch()} />
          ) : messages.data.items.length === 0 ? (
            <Empty title="No messages yet" />
          ) : (
            <Conversation ticketId={id} items={messages.data.items} />
          )}
          {t && <Composer ticket={t} messages={messages.data?.items ?? []} />}
        </section>
        {t ? <SidePanel ticket={t} /> : <Loading rows={8} />}
      </div>
    </>
  );
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

function Conversation({ ticketId, items }: { ticketId: number; items: Message[] }) {
  const qc = useQueryClient();
  const retry = useRetryMessage();
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u]));
  return (
    <>
      {items.map((m) => (
        <MessageView
          key={m.id}
          m={m}
          author={m.author_id != null ? byId.get(m.author_id) : undefined}
          retrying={retry.isPending && retry.variables?.id === m.id}
          retryError={retry.variables?.id === m.id ? retry.error : undefined}
          onRetry={(mid) =>
            retry.mutate(
              { id: mid },
              {
                onSuccess: (updated) => {
                  qc.setQueryData<{ items: Message[] }>(getListMessagesQueryKey(ticketId), (old) =>
                    old ? { items: old.items.map((x) => (x.id === mid ? updated : x)) } : old,
                  );
                },
              },
            )
          }
        />
      ))}
    </>
  );
}

function lastCc(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.kind === "inbound" || m.kind === "outbound") return m.cc.map((a) => a.email).join(", ");
  }
  return "";
}

function Composer({ ticket, messages }: { ticket: Ticket; messages: Message[] }) {
  const qc = useQueryClient();
  const [tab, setTab] = useState<"reply" | "note">("reply");
  const [body, setBody] = useState("");
  const [cc, setCc] = useState<string | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState("");
  const fileRef = useRef<HTMLInputElement>(null);
  const note = useCreateNote();
  const ccValue = cc ?? lastCc(messages);

  const appended = (m: Message) => {
    qc.setQueryData<{ items: Message[] }>(getListMessagesQueryKey(ticket.id), (old) => (old ? { items: [...old.items.filter((x) => x.id !== m.id), m] } : old));
    void qc.invalidateQueries({ queryKey: getGetTicketQueryKey(ticket.id) });
    void qc.invalidateQueries({ queryKey: getListEventsQueryKey(ticket.id) });
    void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) });
    setBody("");
    setFiles([]);
    setCc(null);
    if (fileRef.current) fileRef.current.value = "";
  };

  const submit = async (e?: React.FormEvent) => {
    e?.preventDefault();
    if (!body.trim() || sending) return;
    setError(null);
    setSending(true);
    try {
      if (tab === "reply") {
        // One cc field, comma-separated; an empty one removes the Cc.
        const m = (await createReply(ticket.id, { body, cc: [parseAddressList(ccValue).join(", ")], files })) as Message;
        appended(m);
        setSent("Reply queued for delivery");
      } else {
        const m = await note.mutateAsync({ id: ticket.id, data: { body } });
        appended(m);
        setSent("Note added");
      }
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };
  useEffect(() => {
    if (!sent) return;
    const t = window.setTimeout(() => setSent(""), 2500);
    return () => window.clearTimeout(t);
  }, [sent]);

  return (
    <form className={`composer ${tab === "note" ? "note-mode" : ""}`} onSubmit={submit} aria-label="Compose">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" className="tab" aria-selected={tab === "reply"} onClick={() => setTab("reply")}>
          Reply
        </button>
        <button type="button" role="tab" className="tab" aria-selected={tab === "note"} onClick={() => setTab("note")}>
          Internal note
        </button>
      </div>
      <div className="composer-body">
        {tab === "reply" && (
          <>
            <div className="small muted">
              To <strong>{displayName(ticket.requester)}</strong>
              {ticket.requester.name && <> &lt;{ticket.requester.email}&gt;</>}
            </div>
            <label className="field">
              <span>Cc</span>
              <input className="input" name="cc" value={ccValue} onChange={(e) => setCc(e.target.value)} placeholder="name@example.com, …" />
            </label>
          </>
        )}
        <label className="field">
          <span className="sr-only">{tab === "reply" ? "Reply" : "Note"}</span>
          <textarea
            className="input"
            name="body"
            rows={6}
            placeholder={tab === "reply" ? "Write a reply…" : "Write a note only agents can see…"}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void submit();
            }}
          />
        </label>
        <ErrorBanner error={error} />
        <div className="row">
          {tab === "reply" && (
            <label className="btn btn-sm">
              Attach files
              <input ref={fileRef} className="sr-only" type="file" multiple onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
            </label>
          )}
          {tab === "reply" && files.length > 0 && (
            <span className="small muted">
              {files.map((f) => `${f.name} (${formatBytes(f.size)})`).join(", ")}
            </span>
          )}
          <div className="spacer" />
          {sent && (
            <span className="small muted" role="status">
              {sent}
            </span>
          )}
          <span className="hint">Ctrl+Enter</span>
          <button className="btn btn-primary" type="submit" disabled={sending || !body.trim()}>
            {sending ? "Sending…" : tab === "reply" ? "Send reply" : "Add note"}
          </button>
        </div>
      </div>
    </form>
  );
}

function SidePanel({ ticket }: { ticket: Ticket }) {
  const qc = useQueryClient();
  const me = useOutletContext<User | undefined>();
  const users = useListUsers({ query: { staleTime: 60_000 } });
  const events = useListEvents(ticket.id);
  const [tag, setTag] = useState("");
  const key = getGetTicketQueryKey(ticket.id);

  // Optimistic: the panel changes at once and rolls back if refused. While
  // several changes are in flight, only the last answer is applied, so an
  // earlier one cannot undo a later choice on screen.
  const inflight = useRef(0);
  const [updateError, setUpdateError] = useState<unknown>(null);
  const change = async (data: TicketUpdate, optimistic: Partial<Ticket>) => {
    const before = qc.getQueryData<Ticket>(key);
    qc.setQueryData<Ticket>(key, (old) => (old ? { ...old, ...optimistic } : old));
    setUpdateError(null);
    inflight.current++;
    try {
      const t = await updateTicket(ticket.id, data);
      if (inflight.current === 1) qc.setQueryData(key, t);
    } catch (err) {
      qc.setQueryData(key, before);
      setUpdateError(err);
    } finally {
      inflight.current--;
      void qc.invalidateQueries({ queryKey: getListEventsQueryKey(ticket.id) });
      void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) });
      if (inflight.current === 0) void qc.invalidateQueries({ queryKey: key });
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
                  <strong>{ev.actor || "system"}</strong> {describeEvent(ev)}
                </span>
                <time dateTime={ev.created_at} title={absoluteTime(ev.created_at)}>
                  {relativeTime(ev.created_at)}
                </time>
              </li>
            ))}
          </ol>
        )}
      </div>
    </aside>
  );
}

const eventText: Record<string, (ev: { before: string; after: string }) => string> = {
  ticket_created: () => "opened the ticket",
  reply_queued: () => "replied",
  note_added: () => "added a note",
  delivery_retried: () => "retried a delivery",
  delivery_failed: (ev) => `: a delivery failed${ev.before ? ` (${ev.before})` : ""}`,
};

export function describeEvent(ev: { kind: string; field: string; before: string; after: string }): string {
  const known = eventText[ev.kind];
  if (known) return known(ev);
  if (ev.field) {
    if (!ev.before) return `set ${ev.field} to ${ev.after || "—"}`;
    if (!ev.after) return `cleared ${ev.field} (was ${ev.before})`;
    return `changed ${ev.field}: ${ev.before} → ${ev.after}`;
  }
  return ev.kind.replace(/[._]/g, " ");
}
