import { useState } from "react";
import { Link, useNavigate, useOutletContext, useParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { getGetInboundRawUrl, getListInboundQueryKey, useListInbound, useRetryInbound, useTicketFromInbound, type Inbound, type User } from "../api/generated";
import { absoluteTime, relativeTime } from "../lib/format";
import { Empty, ErrorBanner, ErrorState, Loading } from "../components/States";

// Mail that did not become a ticket by itself, in one list with two filters:
// automatic mail kept aside (every agent; "Create ticket" when a person wrote
// it after all) and failed mail (admins: download the raw message, retry).

const reasonLabel: Record<string, string> = {
  bounce: "Bounce",
  auto_reply: "Auto-reply",
  feedback_report: "Abuse report",
  receipt: "Read receipt",
  loop: "Reply loop",
  spam: "Spam",
};

type Filter = "automatic" | "failed";

export function InboundMailPage() {
  const me = useOutletContext<User | undefined>();
  const { filter = "automatic" } = useParams();
  if (filter !== "automatic" && filter !== "failed") return <Empty title="No such list">Try Automatic mail or Failed mail.</Empty>;
  if (!me) return <div className="page-body"><Loading /></div>;
  if (filter === "failed" && me.role !== "admin") return <Empty title="Admins only">Failed mail is for admins.</Empty>;
  return <InboundList filter={filter} admin={me.role === "admin"} />;
}

function InboundList({ filter, admin }: { filter: Filter; admin: boolean }) {
  const list = useListInbound({ status: filter });
  return (
    <>
      <header className="page-head">
        <h1>{filter === "automatic" ? "Automatic mail" : "Failed mail"}</h1>
        <nav className="row" aria-label="Filter">
          <Link className={`btn btn-sm ${filter === "automatic" ? "btn-primary" : ""}`} to="/mail/automatic" aria-current={filter === "automatic" ? "page" : undefined}>
            Automatic
          </Link>
          {admin && (
            <Link className={`btn btn-sm ${filter === "failed" ? "btn-primary" : ""}`} to="/mail/failed" aria-current={filter === "failed" ? "page" : undefined}>
              Failed
            </Link>
          )}
        </nav>
      </header>
      <div className="page-body">
        <p className="muted small">
          {filter === "automatic"
            ? "Bounces, out-of-office and challenge replies, reports, receipts, loops and spam that belong to no ticket. They are kept, not queued, and nobody is answered."
            : "Mail that could not be read or stored. It is kept with its error; download it to look inside, or retry it."}
        </p>
        {list.isPending ? (
          <Loading rows={4} />
        ) : list.error ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <Empty title={filter === "automatic" ? "No automatic mail" : "No failed mail"}>Nothing here.</Empty>
        ) : (
          <ul className="inbound-list card" aria-label={filter === "automatic" ? "Automatic mail" : "Failed mail"}>
            {list.data.items.map((it) => (
              <InboundRow key={it.id} it={it} filter={filter} admin={admin} />
            ))}
          </ul>
        )}
      </div>
    </>
  );
}

function InboundRow({ it, filter, admin }: { it: Inbound; filter: Filter; admin: boolean }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const refresh = () => qc.invalidateQueries({ queryKey: getListInboundQueryKey({ status: filter }) });
  const toTicket = useTicketFromInbound({
    mutation: {
      onSuccess: (t) => {
        refresh();
        navigate(`/tickets/${t.id}`);
      },
      onError: setError,
    },
  });
  const retry = useRetryInbound({ mutation: { onSuccess: refresh, onError: setError } });
  const from = it.from.name ? `${it.from.name} <${it.from.email}>` : it.from.email || "(unknown sender)";
  return (
    <li className="inbound-row" data-inbound-id={it.id}>
      <div className="row">
        {filter === "automatic" && <span className="badge plain">{reasonLabel[it.reason] ?? it.reason}</span>}
        <strong className="spacer">{it.subject || (filter === "failed" ? `Message #${it.id}` : "(no subject)")}</strong>
        <time className="muted small" dateTime={it.received_at} title={absoluteTime(it.received_at)}>
          {relativeTime(it.received_at)}
        </time>
      </div>
      <div className="muted small">
        {filter === "automatic" ? (
          <>
            from {from}
            {it.message_id && <> · {`<${it.message_id}>`}</>}
            {it.error && <> · {it.error}</>}
          </>
        ) : (
          <>
            via {it.source} · {it.attempts} attempt{it.attempts === 1 ? "" : "s"} · {it.error || "no error recorded"}
          </>
        )}
      </div>
      {error !== undefined && <ErrorBanner error={error} />}
      <div className="row">
        {filter === "automatic" && (
          <button className="btn btn-sm" onClick={() => toTicket.mutate({ id: it.id })} disabled={toTicket.isPending}>
            {toTicket.isPending ? "Creating…" : "Create ticket"}
          </button>
        )}
        {admin && (
          <a className="btn btn-sm btn-ghost" href={getGetInboundRawUrl(it.id)} download={`inbound-${it.id}.eml`}>
            Download .eml
          </a>
        )}
        {filter === "failed" && (
          <button className="btn btn-sm" onClick={() => retry.mutate({ id: it.id })} disabled={retry.isPending}>
            {retry.isPending ? "Retrying…" : "Retry now"}
          </button>
        )}
      </div>
    </li>
  );
}
