import { useState } from "react";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { useCreateTicket, useListMailboxes } from "../api/generated";
import { ErrorBanner } from "../components/States";
import { isQueueKey } from "../lib/live";
import { parseAddressList } from "../lib/format";

/** NewTicketPage: an agent starts a conversation by email (POST /api/v1/tickets). */
export function NewTicketPage() {
  const mailboxes = useListMailboxes({ query: { staleTime: 60_000 } });
  const navigate = useNavigate();
  const qc = useQueryClient();
  const create = useCreateTicket();
  const [mailbox, setMailbox] = useState<number | "">("");
  const [to, setTo] = useState("");
  const [cc, setCc] = useState("");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const boxes = mailboxes.data?.items ?? [];
  const mailboxId = mailbox === "" ? boxes[0]?.id : mailbox;
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!mailboxId) return;
    create.mutate(
      { data: { mailbox_id: mailboxId, to: parseAddressList(to), cc: parseAddressList(cc), subject, body } },
      {
        onSuccess: (t) => {
          void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) });
          navigate(`/tickets/${t.id}`, { replace: true });
        },
      },
    );
  };
  return (
    <>
      <header className="page-head">
        <h1>New ticket</h1>
      </header>
      <div className="page-body">
        <form className="card card-pad stack new-ticket" onSubmit={submit} aria-label="New ticket">
          <label className="field">
            <span>From</span>
            <select className="input" value={mailboxId ?? ""} onChange={(e) => setMailbox(Number(e.target.value))}>
              {boxes.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name} &lt;{m.address}&gt;
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>To</span>
            <input className="input" type="text" value={to} onChange={(e) => setTo(e.target.value)} placeholder="customer@example.com" required autoFocus />
          </label>
          <label className="field">
            <span>Cc</span>
            <input className="input" type="text" value={cc} onChange={(e) => setCc(e.target.value)} placeholder="optional, comma-separated" />
          </label>
          <label className="field">
            <span>Subject</span>
            <input className="input" type="text" value={subject} onChange={(e) => setSubject(e.target.value)} required />
          </label>
          <label className="field">
            <span>Message</span>
            <textarea className="input" rows={10} value={body} onChange={(e) => setBody(e.target.value)} required />
          </label>
          {create.error && <ErrorBanner error={create.error} />}
          <div className="row">
            <button className="btn btn-primary" type="submit" disabled={create.isPending || !mailboxId || !to.trim() || !subject.trim() || !body.trim()}>
              {create.isPending ? "Sending…" : "Send and open ticket"}
            </button>
          </div>
        </form>
      </div>
    </>
  );
}
