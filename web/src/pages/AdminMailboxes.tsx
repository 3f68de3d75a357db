import { useEffect, useState } from "react";
import { useLocation, useNavigate, useOutletContext } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import {
  useListTeams,
  getGetMailboxSyncQueryKey,
  getListMailboxesQueryKey,
  useConnectNylas,
  useCreateMailbox,
  useGetMailboxSync,
  useListMailboxes,
  useTestMailbox,
  useUpdateMailbox,
  type Mailbox,
  type MailboxTestResult,
  type User,
} from "../api/generated";
import { absoluteTime, relativeTime } from "../lib/format";
import { alertReason } from "../lib/alerts";
import { DEFAULT_ACK_BODY, DEFAULT_ACK_SUBJECT, renderAckPreview } from "../lib/template";
import { RELAY_HELP, relayWarning } from "../lib/relay";
import { MAIL_OAUTH_PROVIDERS, NYLAS_REGIONS, gmailOutcome, gmailStartUrl, isDate, mailOAuthOutcome, mailOAuthStartUrl, microsoftOutcome, microsoftStartUrl, signsInWithOAuth, progressPercent, progressText, reconnectReason, showProgress, syncLabel, syncRefetchMs, syncTone } from "../lib/sync";
import { Empty, ErrorState, Loading, ErrorBanner, errorMessage } from "../components/States";

export function MailboxesPage() {
  const me = useOutletContext<User | undefined>();
  const mailboxes = useListMailboxes();
  const [editing, setEditing] = useState<number | null>(null);
  // The Gmail and Microsoft connect flows send the admin back here with their outcome.
  const location = useLocation();
  const navigate = useNavigate();
  const [outcome] = useState(() => gmailOutcome(location.search) ?? microsoftOutcome(location.search) ?? mailOAuthOutcome(location.search));
  useEffect(() => {
    // Once read, the outcome leaves the address: a reload must not show it again.
    if (outcome) navigate(location.pathname, { replace: true });
  }, [outcome, navigate, location.pathname]);
  if (!me) return <div className="page-body"><Loading /></div>;
  if (me.role !== "admin") return <Empty title="Admins only">This page needs the admin role.</Empty>;
  return (
    <>
      <header className="page-head">
        <h1>Mailboxes</h1>
      </header>
      <div className="page-body stack">
        {outcome && (
          <div className={`banner ${outcome.ok ? "banner-success" : "banner-error"}`} role={outcome.ok ? "status" : "alert"}>
            {outcome.message}
          </div>
        )}
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
  const qc = useQueryClient();
  const test = useTestMailbox();
  const [result, setResult] = useState<MailboxTestResult | null>(null);
  const [connecting, setConnecting] = useState(false);
  return (
    <section className="card card-pad stack" aria-label={`Mailbox ${m.name}`}>
      <div className="row">
        <h2 className="spacer">
          {m.name} <span className="muted small">{m.address}</span>
        </h2>
        <button className="btn btn-sm" onClick={() =>
            // The test records the relay's state on the mailbox (and a pass sends what waited): reload it.
            test.mutate({ id: m.id }, { onSuccess: setResult, onSettled: () => void qc.invalidateQueries({ queryKey: getListMailboxesQueryKey() }) })
          } disabled={test.isPending}>
          {test.isPending ? "Testing…" : "Test connection"}
        </button>
        <button className="btn btn-sm" onClick={() => setConnecting(!connecting)} aria-expanded={connecting} aria-controls={`connect-${m.id}`}>
          Connect account
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
        <dt>Acknowledge</dt>
        <dd>{m.ack_enabled ? "New tickets get an acknowledgement" : "Off"}</dd>
        <dt>Reopen</dt>
        <dd>A reply reopens a ticket closed up to {m.reopen_days ?? 30} days ago; later, it opens a new one</dd>
        <dt>Replies from</dt>
        <dd>{m.sender_agent_name ? `Agent Name via ${m.name}` : m.name}</dd>
        {m.system_mail && (
          <>
            <dt>System mail</dt>
            <dd>Invitations and password resets are sent from this mailbox</dd>
          </>
        )}
      </dl>
      {m.alert && (
        <div className="banner banner-error" role="alert" data-testid={`mailbox-alert-${m.id}`}>
          Broken since <When iso={m.alert.since} />: {alertReason(m.alert)}.{m.alert.reason === "quiet" ? ` (${m.alert.detail}.)` : ""} Every admin
          was mailed; another mail follows when it works again.
        </div>
      )}
      {m.relay_warning && (
        <div className="banner banner-warning" role="status">
          Relay warning: {m.relay_warning}
        </div>
      )}
      {m.relay_error && (
        <div className="banner banner-error" role="alert">
          Relay error{m.relay_error_since ? <> since <When iso={m.relay_error_since} /></> : null}: {m.relay_error}. Replies wait (“Waiting for the mailbox”) and go
          out once the mailbox is saved again or “Test connection” passes.
        </div>
      )}
      <SyncStatus m={m} />
      {connecting && <ConnectAccount m={m} />}
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

function When({ iso }: { iso?: string }) {
  if (!iso) return <>never</>;
  return <time dateTime={iso} title={absoluteTime(iso)}>{relativeTime(iso)}</time>;
}

// SyncStatus shows the connector's state; it polls fast only while a sync runs.
function SyncStatus({ m }: { m: Mailbox }) {
  const sync = useGetMailboxSync(m.id, { query: { refetchInterval: (q) => syncRefetchMs(q.state.data) } });
  return (
    <div className="stack" role="group" aria-label={`Sync status of ${m.name}`}>
      {sync.isPending ? (
        <Loading label="Loading sync status…" rows={1} />
      ) : sync.error ? (
        <ErrorState error={sync.error} onRetry={() => sync.refetch()} />
      ) : (
        <>
          <dl className="kv">
            <dt>Connector</dt>
            <dd data-testid="sync-provider">{sync.data.provider}</dd>
            <dt>Sync</dt>
            <dd>
              <span data-testid="sync-status" className={`badge sync-${syncTone(sync.data)}`}>
                {syncLabel(sync.data)}
              </span>
            </dd>
            <dt>Last sync</dt>
            <dd>
              <When iso={sync.data.last_sync_at} />
            </dd>
            {sync.data.backfilled && (
              <>
                <dt>History</dt>
                <dd>Backfill complete</dd>
              </>
            )}
          </dl>
          {showProgress(sync.data) && (
            <div className="stack">
              <progress className="sync-progress" id={`sync-progress-${m.id}`} aria-label={`Sync progress of ${m.name}`} max={100} value={progressPercent(sync.data.done, sync.data.total) ?? 0} />
              <span className="hint" aria-live="polite">
                {progressText(sync.data.done, sync.data.total)}
              </span>
            </div>
          )}
          {reconnectReason(sync.data) ? (
            <div className="banner banner-error" role="alert" data-testid="sync-reconnect">
              <strong>Reconnect this mailbox</strong>{sync.data.error_since ? <> (since <When iso={sync.data.error_since} />)</> : null}: {reconnectReason(sync.data)}{" "}
              <a href={`#connect-${m.id}`}>Connect the account again</a>
            </div>
          ) : sync.data.status === "error" && (
            <div className="banner banner-error" role="alert">
              Sync error{sync.data.error_since ? <> since <When iso={sync.data.error_since} /></> : null}: {sync.data.last_error || "no details"}
            </div>
          )}
        </>
      )}
    </div>
  );
}

// MailOAuth connects the Google or Microsoft account an IMAP or SMTP-relay
// mailbox signs in with (XOAUTH2, auth=oauth in its URLs).
function MailOAuth({ m }: { m: Mailbox }) {
  const [provider, setProvider] = useState<string>(MAIL_OAUTH_PROVIDERS[0].value);
  const p = `m${m.id}-mailoauth`;
  const name = MAIL_OAUTH_PROVIDERS.find((x) => x.value === provider)?.label ?? provider;
  return (
    <div className="stack" role="group" aria-labelledby={p}>
      <h3 id={p}>IMAP / SMTP sign-in (OAuth)</h3>
      <label className="field">
        <span>Sign in with</span>
        <select className="input" value={provider} onChange={(e) => setProvider(e.target.value)}>
          {MAIL_OAUTH_PROVIDERS.map((x) => (
            <option key={x.value} value={x.value}>
              {x.label}
            </option>
          ))}
        </select>
        <span className="hint">
          For Gmail or Microsoft 365 over IMAP and SMTP without a password. Give the IMAP and relay URLs the account’s address as user and <code>?auth=oauth</code>.
        </span>
      </label>
      <div className="row">
        <a className="btn btn-sm btn-primary" href={mailOAuthStartUrl(m.id, provider)}>
          Sign in with {name}
        </a>
      </div>
    </div>
  );
}

// ConnectAccount links a Gmail or Microsoft 365 (OAuth, a full-page redirect) or Nylas (grant + API key) account.
function ConnectAccount({ m }: { m: Mailbox }) {
  const qc = useQueryClient();
  const nylas = useConnectNylas();
  const [gmailSince, setGmailSince] = useState("");
  const [msSince, setMsSince] = useState("");
  const [msShared, setMsShared] = useState(false);
  const [msSent, setMsSent] = useState(false);
  const msOK = msSince === "" || isDate(msSince);
  const [form, setForm] = useState({ grant_id: "", api_key: "", api_base: NYLAS_REGIONS[0].value as string, since: "" });
  const [connected, setConnected] = useState(false);
  const gmailOK = gmailSince === "" || isDate(gmailSince);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setConnected(false);
    nylas.mutate(
      { id: m.id, data: { grant_id: form.grant_id.trim(), api_key: form.api_key.trim(), api_base: form.api_base, ...(form.since ? { since: form.since } : {}) } },
      {
        onSuccess: () => {
          setConnected(true);
          setForm((f) => ({ ...f, api_key: "" }));
        },
        onSettled: () => {
          void qc.invalidateQueries({ queryKey: getGetMailboxSyncQueryKey(m.id) });
          void qc.invalidateQueries({ queryKey: getListMailboxesQueryKey() });
        },
      },
    );
  };
  const p = `m${m.id}`;
  return (
    <div className="grid-2" id={`connect-${m.id}`}>
      {signsInWithOAuth(m.provider) && <MailOAuth m={m} />}
      <div className="stack" role="group" aria-labelledby={`${p}-gmail`}>
        <h3 id={`${p}-gmail`}>Gmail</h3>
        <label className="field">
          <span>Sync mail since (optional)</span>
          <input className="input" type="date" value={gmailSince} onChange={(e) => setGmailSince(e.target.value)} />
          <span className="hint">Empty syncs the whole mailbox. You will be sent to Google to grant access, then back here.</span>
        </label>
        <div className="row">
          {gmailOK ? (
            <a className="btn btn-sm btn-primary" href={gmailStartUrl(m.id, gmailSince)}>
              Connect Gmail
            </a>
          ) : (
            <span className="hint">Enter a full date.</span>
          )}
        </div>
      </div>
      <div className="stack" role="group" aria-labelledby={`${p}-microsoft`}>
        <h3 id={`${p}-microsoft`}>Microsoft 365 / Outlook.com</h3>
        <label className="field">
          <span>Sync mail since (optional)</span>
          <input className="input" type="date" value={msSince} onChange={(e) => setMsSince(e.target.value)} />
          <span className="hint">You will be sent to Microsoft to sign in and grant access, then back here.</span>
        </label>
        <label className="row">
          <input type="checkbox" checked={msShared} onChange={(e) => setMsShared(e.target.checked)} />
          <span>Shared mailbox (sign in as a user with Full Access to {m.address})</span>
        </label>
        <label className="row">
          <input type="checkbox" checked={msSent} onChange={(e) => setMsSent(e.target.checked)} />
          <span>Also sync Sent Items (replies written in Outlook appear on their tickets)</span>
        </label>
        <div className="row">
          {msOK ? (
            <a className="btn btn-sm btn-primary" href={microsoftStartUrl(m.id, msSince, msShared, msSent)}>
              Connect Microsoft 365
            </a>
          ) : (
            <span className="hint">Enter a full date.</span>
          )}
        </div>
      </div>
      <form className="stack" onSubmit={submit} aria-labelledby={`${p}-nylas`}>
        <h3 id={`${p}-nylas`}>Nylas</h3>
        <label className="field">
          <span>Grant ID</span>
          <input className="input mono" required autoComplete="off" value={form.grant_id} onChange={(e) => setForm({ ...form, grant_id: e.target.value })} />
        </label>
        <label className="field">
          <span>API key</span>
          <input className="input mono" type="password" required autoComplete="new-password" value={form.api_key} onChange={(e) => setForm({ ...form, api_key: e.target.value })} />
          <span className="hint">Stored encrypted; never shown again.</span>
        </label>
        <div className="grid-2">
          <label className="field">
            <span>Region</span>
            <select className="input" value={form.api_base} onChange={(e) => setForm({ ...form, api_base: e.target.value })}>
              {NYLAS_REGIONS.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label} ({r.value.replace("https://", "")})
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Since (optional)</span>
            <input className="input" type="date" value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value })} />
          </label>
        </div>
        <ErrorBanner error={nylas.error} />
        {connected && !nylas.isPending && (
          <div className="banner banner-info" role="status">
            ✓ Nylas connected; the sync starts in the background.
          </div>
        )}
        <div className="row">
          <button className="btn btn-sm btn-primary" type="submit" disabled={nylas.isPending}>
            {nylas.isPending ? "Connecting…" : "Connect Nylas"}
          </button>
        </div>
      </form>
    </div>
  );
}

function EditMailbox({ m, onDone }: { m: Mailbox; onDone: () => void }) {
  const qc = useQueryClient();
  const update = useUpdateMailbox();
  const [name, setName] = useState(m.name);
  const [relay, setRelay] = useState("");
  const [changeRelay, setChangeRelay] = useState(false);
  const [ackEnabled, setAckEnabled] = useState(m.ack_enabled);
  const [reopenDays, setReopenDays] = useState(String(m.reopen_days ?? 30));
  const [agentName, setAgentName] = useState(m.sender_agent_name);
  const [systemMail, setSystemMail] = useState(m.system_mail);
  const [portal, setPortal] = useState(m.portal ?? false);
  const [csat, setCsat] = useState(m.csat ?? false);
  const [subject, setSubject] = useState(m.ack_subject || DEFAULT_ACK_SUBJECT);
  const [body, setBody] = useState(m.ack_body || DEFAULT_ACK_BODY);
  const [signature, setSignature] = useState(m.signature ?? "");
  const teams = useListTeams({ query: { staleTime: 60_000 } });
  const [team, setTeam] = useState(m.team_id ? String(m.team_id) : "");
  const sample = { TicketID: "1234", Subject: "The printer is on fire", RequesterName: "alice@example.org", RequesterEmail: "alice@example.org", MailboxName: name, MailboxAddress: m.address, PortalURL: "https://help.example.com/portal/tickets/1234" };
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
          reopen_days: Number(reopenDays),
          sender_agent_name: agentName,
          system_mail: systemMail,
          portal,
          csat,
          // The defaults are stored as "empty" so they follow future versions.
          ack_subject: subject === DEFAULT_ACK_SUBJECT ? "" : subject,
          ack_body: body === DEFAULT_ACK_BODY ? "" : body,
          signature,
          team_id: team ? Number(team) : null,
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
          <span className="hint">Empty sends to the outbox folder. {RELAY_HELP}</span>
        </label>
      )}
      {changeRelay && relayWarning(relay) && <div className="banner banner-warning">{relayWarning(relay)}</div>}
      <label className="row small">
        <input type="checkbox" checked={agentName} onChange={(e) => setAgentName(e.target.checked)} /> Replies come from “Agent Name via {name.trim() || m.name}”
      </label>
      <label className="row small">
        <input type="checkbox" checked={systemMail} onChange={(e) => setSystemMail(e.target.checked)} /> Send invitations and password resets from this mailbox
      </label>
      <label className="row small">
        <input type="checkbox" checked={ackEnabled} onChange={(e) => setAckEnabled(e.target.checked)} /> Send an acknowledgement for new tickets
      </label>
      <label className="row small">
        <input type="checkbox" checked={portal} onChange={(e) => setPortal(e.target.checked)} /> Customers may open tickets here from the portal (/portal)
      </label>
      <label className="row small">
        <input type="checkbox" name="csat" checked={csat} onChange={(e) => setCsat(e.target.checked)} /> Ask the requester “How did we do?” when a ticket is solved (one mail with Good / Bad links)
      </label>
      <label className="field">
        <span>Default team</span>
        <select className="input" name="team" value={team} onChange={(e) => setTeam(e.target.value)}>
          <option value="">No team</option>
          {teams.data?.items.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <span className="hint">New tickets of this mailbox go to this team (and, by its assignment, to one of its agents).</span>
      </label>
      <label className="field">
        <span>Reopen window (days)</span>
        <input className="input" type="number" min={1} max={3650} required value={reopenDays} onChange={(e) => setReopenDays(e.target.value)} />
        <span className="hint">A reply to a ticket closed longer ago than this opens a new ticket that links to the old one.</span>
      </label>
      <label className="field">
        <span>Reply signature</span>
        <textarea className="input" name="signature" rows={3} value={signature} onChange={(e) => setSignature(e.target.value)} />
        <span className="hint">Added to every reply from this mailbox, after the agent&apos;s own. Placeholders as in macros: {"{{agent.name}} {{ticket.id}} {{requester.first_name}}"}…</span>
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
            Fields: {"{{.TicketID}} {{.Subject}} {{.RequesterName}} {{.RequesterEmail}} {{.MailboxName}} {{.MailboxAddress}} {{.PortalURL}}"}
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
      <ErrorBanner error={update.error} />
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
  const empty = { name: "", address: "", smtp_relay: "", imap: "", imap_since: "" };
  const [form, setForm] = useState(empty);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        data: {
          name: form.name.trim(),
          address: form.address.trim(),
          ...(form.smtp_relay.trim() ? { smtp_relay: form.smtp_relay.trim() } : {}),
          ...(form.imap.trim() ? { imap: form.imap.trim() } : {}),
          ...(form.imap.trim() && form.imap_since ? { imap_since: form.imap_since } : {}),
        },
      },
      {
        onSuccess: () => {
          setForm(empty);
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
        <span className="hint">
          Without a relay, replies are written to the outbox folder. Connect Gmail, Microsoft 365 or Nylas with a mailbox’s “Connect account”. {RELAY_HELP}
        </span>
      </label>
      {relayWarning(form.smtp_relay) && <div className="banner banner-warning">{relayWarning(form.smtp_relay)}</div>}
      <div className="grid-2">
        <label className="field">
          <span>IMAP account (optional)</span>
          <input className="input mono" placeholder="imaps://user:pass@imap.example.com/INBOX" value={form.imap} onChange={(e) => setForm({ ...form, imap: e.target.value })} />
          <span className="hint">New mail arrives within seconds (IDLE); add ?sent=Sent to capture replies written elsewhere. Stored sealed, never shown again.</span>
        </label>
        <label className="field">
          <span>Fetch mail since (optional)</span>
          <input className="input" type="date" value={form.imap_since} disabled={!form.imap.trim()} onChange={(e) => setForm({ ...form, imap_since: e.target.value })} />
        </label>
      </div>
      <ErrorBanner error={create.error} />
      <div className="row">
        <button className="btn btn-primary" type="submit" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add mailbox"}
        </button>
      </div>
    </form>
  );
}
