import { useEffect, useRef, useState } from "react";
import type { Message, Ticket } from "../../api/generated";
import { displayName, formatBytes, parseAddressList } from "../../lib/format";
import { useTicketMutations } from "../../lib/ticketMutations";
import { ErrorBanner } from "../../components/States";

function lastCc(messages: Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.kind === "inbound" || m.kind === "outbound") return m.cc.map((a) => a.email).join(", ");
  }
  return "";
}

export function Composer({ ticket, messages }: { ticket: Ticket; messages: Message[] }) {
  const mutations = useTicketMutations(ticket.id);
  const [tab, setTab] = useState<"reply" | "note">("reply");
  const [body, setBody] = useState("");
  const [cc, setCc] = useState<string | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState("");
  const fileRef = useRef<HTMLInputElement>(null);
  const ccValue = cc ?? lastCc(messages);

  const reset = () => {
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
        await mutations.reply({ body, cc: [parseAddressList(ccValue).join(", ")], files });
        setSent("Reply queued for delivery");
      } else {
        await mutations.note(body);
        setSent("Note added");
      }
      reset();
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
