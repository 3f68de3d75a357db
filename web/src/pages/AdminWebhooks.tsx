import { useState } from "react";
import { useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  getListWebhookDeliveriesQueryKey,
  getListWebhooksQueryKey,
  Role,
  useCreateWebhook,
  useDeleteWebhook,
  useListWebhookDeliveries,
  useListWebhooks,
  useTestWebhook,
  useUpdateWebhook,
  type User,
  type Webhook,
} from "../api/generated";
import { absoluteTime, relativeTime } from "../lib/format";
import { Empty, ErrorBanner, ErrorState, Loading } from "../components/States";

/** WebhooksPage lets an admin send ticket events to other systems. */
export function WebhooksPage() {
  const me = useOutletContext<User | undefined>();
  const hooks = useListWebhooks({ query: { enabled: me?.role === Role.admin } });
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== Role.admin) return <Empty title="Admins only">This page needs the admin role.</Empty>;
  return (
    <>
      <header className="page-head">
        <h1>Webhooks</h1>
      </header>
      <div className="page-body stack">
        <p className="hint">
          Ticketer POSTs each event as JSON, signed: <code>X-Ticketer-Signature: sha256=</code> the HMAC-SHA256 of the body with the
          webhook's secret. Failed deliveries are retried for 24 hours; one ticket's events arrive in order.
        </p>
        {hooks.isPending ? (
          <Loading />
        ) : hooks.error ? (
          <ErrorState error={hooks.error} onRetry={() => hooks.refetch()} />
        ) : (
          <>
            <NewWebhook events={hooks.data.events} />
            {hooks.data.items.length === 0 ? (
              <Empty title="No webhooks yet">Add one above to send ticket events to another system.</Empty>
            ) : (
              hooks.data.items.map((w) => <WebhookCard key={w.id} w={w} events={hooks.data.events} />)
            )}
          </>
        )}
      </div>
    </>
  );
}

function EventChoices({ events, value, onChange, name }: { events: string[]; value: string[]; onChange: (v: string[]) => void; name: string }) {
  return (
    <fieldset className="webhook-events">
      <legend>Events</legend>
      {events.map((e) => (
        <label key={e} className="check">
          <input
            type="checkbox"
            name={name}
            checked={value.includes(e)}
            onChange={(ev) => onChange(ev.target.checked ? [...value, e] : value.filter((x) => x !== e))}
          />{" "}
          <code>{e}</code>
        </label>
      ))}
    </fieldset>
  );
}

function NewWebhook({ events }: { events: string[] }) {
  const qc = useQueryClient();
  const [url, setUrl] = useState("");
  const [chosen, setChosen] = useState<string[]>(events);
  const [secret, setSecret] = useState("");
  const [made, setMade] = useState<{ url: string; secret: string } | null>(null);
  const create = useCreateWebhook();
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setMade(null);
    create.mutate(
      { data: { url: url.trim(), events: chosen, ...(secret ? { secret } : {}) } },
      {
        onSuccess: (w) => {
          if (w.secret) setMade({ url: w.url, secret: w.secret });
          setUrl("");
          setSecret("");
          void qc.invalidateQueries({ queryKey: getListWebhooksQueryKey() });
        },
      },
    );
  };
  return (
    <form className="card card-pad stack" onSubmit={submit} aria-labelledby="new-webhook">
      <h2 id="new-webhook">Add a webhook</h2>
      <div className="grid-2">
        <label className="field">
          <span>URL</span>
          <input className="input" type="url" required placeholder="https://example.com/ticketer" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label className="field">
          <span>Secret</span>
          <input className="input" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
          <span className="hint">Optional: without one, Ticketer makes one and shows it once.</span>
        </label>
      </div>
      <EventChoices events={events} value={chosen} onChange={setChosen} name="new-events" />
      <ErrorBanner error={create.error} />
      {made && (
        <div className="banner banner-info stack" role="status">
          <span>Webhook for {made.url} added. Its secret, shown this once:</span>
          <input className="input" readOnly aria-label="Generated secret" value={made.secret} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending || chosen.length === 0}>
          {create.isPending ? "Adding…" : "Add webhook"}
        </button>
      </div>
    </form>
  );
}

function WebhookCard({ w, events }: { w: Webhook; events: string[] }) {
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: getListWebhooksQueryKey() });
  const [editing, setEditing] = useState(false);
  const [chosen, setChosen] = useState<string[]>(w.events);
  const [enabled, setEnabled] = useState(w.enabled);
  const [showLog, setShowLog] = useState(false);
  const update = useUpdateWebhook({ mutation: { onSuccess: () => (refresh(), setEditing(false)) } });
  const remove = useDeleteWebhook({ mutation: { onSuccess: refresh } });
  const test = useTestWebhook({
    mutation: { onSuccess: () => (setShowLog(true), qc.invalidateQueries({ queryKey: getListWebhookDeliveriesQueryKey(w.id) })) },
  });
  const edit = () => {
    update.reset();
    setChosen(w.events);
    setEnabled(w.enabled);
    setEditing(true);
  };
  const save = (e: React.FormEvent) => {
    e.preventDefault();
    update.mutate({ id: w.id, data: { events: chosen, enabled } });
  };
  return (
    <section className="card card-pad stack" aria-label={`Webhook ${w.url}`}>
      <div className="row webhook-head">
        <strong className="webhook-url">{w.url}</strong>
        <span className={`badge ${w.enabled ? "delivery-sent" : "plain"}`}>{w.enabled ? "Enabled" : "Disabled"}</span>
      </div>
      <div className="hint">
        {w.events.join(", ")} · secret {w.secret_hint} · added {relativeTime(w.created_at)}
      </div>
      {editing ? (
        <form className="stack" onSubmit={save}>
          <EventChoices events={events} value={chosen} onChange={setChosen} name={`events-${w.id}`} />
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
          </label>
          <ErrorBanner error={update.error} />
          <div className="row">
            <button className="btn btn-primary btn-sm" type="submit" disabled={update.isPending || chosen.length === 0}>
              {update.isPending ? "Saving…" : "Save"}
            </button>
            <button className="btn btn-ghost btn-sm" type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="row wrap">
          <button className="btn btn-sm" type="button" onClick={edit}>
            Edit
          </button>
          <button className="btn btn-sm" type="button" disabled={test.isPending} onClick={() => test.mutate({ id: w.id })}>
            {test.isPending ? "Sending…" : "Send test"}
          </button>
          <button className="btn btn-sm" type="button" aria-expanded={showLog} onClick={() => setShowLog(!showLog)}>
            {showLog ? "Hide deliveries" : "Recent deliveries"}
          </button>
          <button
            className="btn btn-ghost btn-sm btn-danger"
            type="button"
            disabled={remove.isPending}
            onClick={() => window.confirm(`Delete the webhook for ${w.url} and its delivery log?`) && remove.mutate({ id: w.id })}
          >
            Delete
          </button>
        </div>
      )}
      <ErrorBanner error={test.error ?? remove.error} />
      {showLog && <Deliveries id={w.id} />}
    </section>
  );
}

const deliveryClass: Record<string, string> = {
  pending: "delivery-queued",
  retrying: "delivery-retrying",
  delivered: "delivery-sent",
  failed: "delivery-failed",
};

/** Deliveries is a webhook's log, refreshed while it is open. */
function Deliveries({ id }: { id: number }) {
  const log = useListWebhookDeliveries(id, { query: { refetchInterval: 2_000 } });
  if (log.isPending) return <Loading rows={2} />;
  if (log.error) return <ErrorState error={log.error} onRetry={() => log.refetch()} />;
  if (log.data.items.length === 0) return <p className="hint">No deliveries yet.</p>;
  return (
    <div className="table-scroll">
      <table className="table" aria-label="Deliveries">
        <thead>
          <tr>
            <th>Event</th>
            <th>Status</th>
            <th>Response</th>
            <th>Duration</th>
            <th>Attempts</th>
            <th>At</th>
          </tr>
        </thead>
        <tbody>
          {log.data.items.map((d) => (
            <tr key={d.id}>
              <td>
                <code>{d.event}</code>
                {d.ticket_id ? <span className="hint"> #{d.ticket_id}</span> : null}
              </td>
              <td>
                <span className={`badge ${deliveryClass[d.status] ?? ""}`} title={d.error || undefined}>
                  {d.status}
                </span>
              </td>
              <td>{d.response_code || "—"}</td>
              <td>{d.at ? `${d.duration_ms} ms` : "—"}</td>
              <td>{d.attempts}</td>
              <td title={d.at ? absoluteTime(d.at) : undefined}>{d.at ? relativeTime(d.at) : relativeTime(d.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
