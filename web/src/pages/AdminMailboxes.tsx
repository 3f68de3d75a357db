import { useState } from "react";
import { useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  getListMailboxesQueryKey,
  useCreateMailbox,
  useListMailboxes,
  useTestMailbox,
  useUpdateMailbox,
  type Mailbox,
  type MailboxTestResult,
  type User,
} from "../api/generated";
import { absoluteTime, relativeTime } from "../lib/format";
import { DEFAULT_ACK_BODY, DEFAULT_ACK_SUBJECT, renderAckPreview } from "../lib/template";
import { Badge, Empty, ErrorState, Loading, errorMessage } from "../components/States";

export function MailboxesPage() {
  const me = useOutletContext<User | undefined>();
  const mailboxes = useListMailboxes();
  const [editing, setEditing] = useState<number | null>(null);
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== "admin") return <Empty title="Admins only">This page needs the admin role.</Empty>;
  return (
    <>
      <header className="page-head">
        <h1>Mailboxes</h1>
      </header>
      <div className="page-body stack">
        {mailboxes.isPending ? (
          <Loading />
        ) : mailboxes.error ? (
          <ErrorState error={mailboxes.error} onRetry={() => mailboxes.refetch()} />
        ) : mailboxes.data.items.length === 0 ? (
          <Empty title="No mailboxes yet">Add one below to start receiving mail.</Empty>
        ) : (
          mailboxes.data.items.map((m) =>
            editing === m.id ? <EditMailbox key={m.id} m={m} onDone={() => setEditing(null)} /> : <MailboxCard key={m.id} m={m} onEdit={() => setEditing(m.id)} />,
          )
        )}
        <NewMailbox />
      </div>
    </>
  );
}

function MailboxCard({ m, onEdit }: { m: Mailbox; onEdit: () => void }) {
  const test = useTestMailbox();
  const [result, setResult] = useState<MailboxTestResult | null>(null);
  return (
    <section className="card card-pad stack" aria-label={`Mailbox ${m.name}`}>
      <div className="row">
        <h2 className="spacer">
          {m.name} <span className="muted small">{m.address}</span>
        </h2>
        <button className="btn btn-sm" onClick={() => test.mutate({ id: m.id }, { onSuccess: setResult })} disabled={test.isPending}>
          {test.isPending ? "Testing…" : "Test connection"}
        </button>
        <button className="btn btn-sm" onClick={onEdit}>
          Edit
        </button>
      </div>
      <dl className="kv">
        <dt>Provider</dt>
        <dd>{m.provider}</dd>
        <dt>Sending</dt>
        <dd>{m.has_smtp_relay ? "SMTP relay" : "Outbox folder (nothing leaves this machine)"}</dd>
        <dt>Status</dt>
        <dd>
          <Badge kind="status" value={m.status === "ok" || m.status === "active" ? "open" : m.last_error ? "pending" : "closed"} label={m.status || "—"} />
        </dd>
        <dt>Last sync</dt>
        <dd title={m.last_sync_at ? absoluteTime(m.last_sync_at) : ""}>{m.last_sync_at ? relativeTime(m.last_sync_at) : "never"}</dd>
        <dt>Acknowledge</dt>
        <dd>{m.ack_enabled ? "New tickets get an acknowledgement" : "Off"}</dd>
      </dl>
      {m.last_error && <div className="banner banner-error">Last error: {m.last_error}</div>}
      {test.error && <div className="banner banner-error">{errorMessage(test.error)}</div>}
      {result && (
        <div className={`banner ${result.ok ? "banner-info" : "banner-error"}`} role="status">
          {result.ok ? "✓ " : "✗ "}
          {result.message}
        </div>
      )}
    </section>
  );
}

function EditMailbox({ m, onDone }: { m: Mailbox; onDone: () => void }) {
  const qc = useQueryClient();
  const update = useUpdateMailbox();
  const [name, setName] = useState(m.name);
  const [relay, setRelay] = useState("");
  const [changeRelay, setChangeRelay] = useState(false);
  const [ackEnabled, setAckEnabled] = useState(m.ack_enabled);
  const [subject, setSubject] = useState(m.ack_subject || DEFAULT_ACK_SUBJECT);
  const [body, setBody] = useState(m.ack_body || DEFAULT_ACK_BODY);
  const sample = { TicketID: "1234", Subject: "The printer is on fire", RequesterName: "Alice Example", RequesterEmail: "alice@example.org", MailboxName: name, MailboxAddress: m.address };
  const ps = renderAckPreview(subject, sample);
  const pb = renderAckPreview(body, sample);
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    update.mutate(
      {
        id: m.id,
        data: {
          name: name.trim(),
          ack_enabled: ackEnabled,
          // The defaults are stored as "empty" so they follow future versions.
          ack_subject: subject === DEFAULT_ACK_SUBJECT ? "" : subject,
          ack_body: body === DEFAULT_ACK_BODY ? "" : body,
          ...(changeRelay ? { smtp_relay: relay.trim() } : {}),
        },
      },
      {
        onSuccess: () => {
          void qc.invalidateQueries({ queryKey: getListMailboxesQueryKey() });
          onDone();
        },
      },
    );
  };
  return (
    <form className="card card-pad stack" onSubmit={save} aria-label={`Edit ${m.name}`}>
      <h2>Edit {m.name}</h2>
      <label className="field">
        <span>Name</span>
        <input className="input" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="row small">
        <input type="checkbox" checked={changeRelay} onChange={(e) => setChangeRelay(e.target.checked)} /> Change the SMTP relay
      </label>
      {changeRelay && (
        <label className="field">
          <span>SMTP relay</span>
          <input className="input mono" placeholder="smtp://user:pass@smtp.example.com:587" value={relay} onChange={(e) => setRelay(e.target.value)} />
          <span className="hint">Empty sends to the outbox folder. Stored encrypted; never shown again.</span>
        </label>
      )}
      <label className="row small">
        <input type="checkbox" checked={ackEnabled} onChange={(e) => setAckEnabled(e.target.checked)} /> Send an acknowledgement for new tickets
      </label>
      <div className="grid-2">
        <div className="stack">
          <label className="field">
            <span>Acknowledgement subject</span>
            <input className="input mono" value={subject} onChange={(e) => setSubject(e.target.value)} />
          </label>
          <label className="field">
            <span>Acknowledgement body</span>
            <textarea className="input mono" rows={12} value={body} onChange={(e) => setBody(e.target.value)} />
          </label>
          <span className="hint">
            Fields: {"{{.TicketID}} {{.Subject}} {{.RequesterName}} {{.RequesterEmail}} {{.MailboxName}} {{.MailboxAddress}}"}
          </span>
        </div>
        <div className="stack" aria-live="polite">
          <span className="label">Preview</span>
          <div className="preview" data-testid="ack-preview">
            <strong>{ps.text}</strong>
            {"\n\n"}
            {pb.text}
          </div>
          {[...ps.problems, ...pb.problems].map((p) => (
            <div key={p} className="banner banner-warning">
              {p}
            </div>
          ))}
        </div>
      </div>
      {update.error && (
        <div className="banner banner-error" role="alert">
          {errorMessage(update.error)}
        </div>
      )}
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save"}
        </button>
        <button className="btn" type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function NewMailbox() {
  const qc = useQueryClient();
  const create = useCreateMailbox();
  const [form, setForm] = useState({ name: "", address: "", smtp_relay: "" });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create.mutate(
      { data: { name: form.name.trim(), address: form.address.trim(), ...(form.smtp_relay.trim() ? { smtp_relay: form.smtp_relay.trim() } : {}) } },
      {
        onSuccess: () => {
          setForm({ name: "", address: "", smtp_relay: "" });
          void qc.invalidateQueries({ queryKey: getListMailboxesQueryKey() });
        },
      },
    );
  };
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-labelledby="new-mailbox">
      <h2 id="new-mailbox">Add a mailbox</h2>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input className="input" required placeholder="Support" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="field">
          <span>Address</span>
          <input className="input" type="email" required placeholder="support@example.com" value={form.address} onChange={(e) => setForm({ ...form, address: e.target.value })} />
        </label>
      </div>
      <label className="field">
        <span>SMTP relay (optional)</span>
        <input className="input mono" placeholder="smtp://user:pass@smtp.example.com:587 or smtps://…" value={form.smtp_relay} onChange={(e) => setForm({ ...form, smtp_relay: e.target.value })} />
        <span className="hint">Without a relay, replies are written to the outbox folder. IMAP, Gmail and Nylas accounts are added from the command line for now.</span>
      </label>
      {create.error && (
        <div className="banner banner-error" role="alert">
          {errorMessage(create.error)}
        </div>
      )}
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add mailbox"}
        </button>
      </div>
    </form>
  );
}
