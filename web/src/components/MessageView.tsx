import { useMemo, useState } from "react";
import type { Message, User } from "../api/generated";
import { absoluteTime, displayName, formatBytes, hiddenKind, initials, messageLabel, relativeTime, showsHTML } from "../lib/format";
import { inlineCids } from "../lib/mailframe";
import { MailFrame } from "./MailFrame";
import { Badge, errorMessage } from "./States";
import { useInlineImages } from "./useInlineImages";

const deliveryLabel: Record<string, string> = { queued: "Queued", sending: "Sending", sent: "Sent", failed: "Failed", waiting: "Waiting for the mailbox", retrying: "Retrying" };
// The toggle of the hidden part says what it hides.
const toggleLabel = { quote: ["Show quoted text", "Hide quoted text"], signature: ["Show signature", "Hide signature"], more: ["Show full text", "Show less"] } as const;

// soon: within the minute ("just now" reads as the past).
const soon = (iso: string) => new Date(iso).getTime() - Date.now() < 45_000;

export function MessageView({ m, author, onRetry, retrying, retryError }: { m: Message; author?: User; onRetry: (id: number) => void; retrying: boolean; retryError?: unknown }) {
  const [mode, setMode] = useState<"html" | "text">(showsHTML(m) ? "html" : "text");
  const [full, setFull] = useState(false);
  const visible = m.visible_text || m.text;
  const more = hiddenKind(visible, m.text);
  const isAgent = m.kind === "outbound" || m.kind === "note";
  // Agents' replies are sent from the mailbox; show who wrote them.
  const who = author ? { name: author.name, email: author.email } : m.from;
  const label = messageLabel(m);
  const inline = useInlineImages(m.html, m.attachments, mode === "html");
  const html = useMemo(() => inlineCids(m.html, inline), [m.html, inline]);
  return (
    <article className={`msg ${m.kind}`} aria-label={`${label || "Message"} from ${displayName(who)}`} data-message-id={m.id}>
      <header className="msg-head">
        <span className={`avatar ${isAgent ? "agent" : ""}`} aria-hidden="true">
          {initials(who)}
        </span>
        <div className="spacer">
          <div>
            <span className="from">{displayName(who)}</span>{" "}
            {author && m.kind === "outbound" ? (
              <span className="addr">via {m.from.email}</span>
            ) : (
              m.kind !== "note" && m.from.name && <span className="addr">&lt;{m.from.email}&gt;</span>
            )}
          </div>
          {m.kind !== "note" && (m.to.length > 0 || m.cc.length > 0) && (
            <div className="addr">
              to {m.to.map((a) => a.email).join(", ")}
              {m.cc.length > 0 && <> · cc {m.cc.map((a) => a.email).join(", ")}</>}
            </div>
          )}
        </div>
        {label && <span className="badge plain">{label}</span>}
        {m.delivery && <Badge kind="delivery" value={m.delivery.status} label={deliveryLabel[m.delivery.status] ?? m.delivery.status} />}
        <time className="muted small" dateTime={m.created_at} title={absoluteTime(m.created_at)}>
          {relativeTime(m.created_at)}
        </time>
      </header>
      {m.delivery?.status === "failed" && (
        <div className="banner banner-error row" role="alert">
          <span className="spacer">
            Not delivered{m.delivery.error ? `: ${m.delivery.error}` : ""}
            {m.delivery.attempts ? ` (${m.delivery.attempts} attempts)` : ""}
            {retryError ? ` · retry failed: ${errorMessage(retryError)}` : ""}
          </span>
          <button className="btn btn-sm" onClick={() => onRetry(m.id)} disabled={retrying}>
            {retrying ? "Retrying…" : "Retry"}
          </button>
        </div>
      )}
      {m.delivery?.status === "retrying" && (
        <div className="banner banner-warning" role="status">
          Not delivered yet{m.delivery.error ? `: ${m.delivery.error}` : ""}.{" "}
          {m.delivery.next_attempt_at ? (
            <>
              Next attempt{" "}
              <time dateTime={m.delivery.next_attempt_at} title={absoluteTime(m.delivery.next_attempt_at)}>
                {soon(m.delivery.next_attempt_at) ? "in a moment" : relativeTime(m.delivery.next_attempt_at)}
              </time>
              {m.delivery.attempts ? ` (after ${m.delivery.attempts} ${m.delivery.attempts === 1 ? "attempt" : "attempts"})` : ""}.
            </>
          ) : (
            "It will be tried again."
          )}
        </div>
      )}
      {m.delivery?.status === "waiting" && (
        <div className="banner banner-warning" role="status">
          Waiting for the mailbox: its SMTP relay cannot work as configured{m.delivery.error ? ` (${m.delivery.error})` : ""}. It goes out once an admin fixes the mailbox.
        </div>
      )}
      {m.problems && (
        // For whoever looks into it; the message itself reads fine.
        <details className="msg-details">
          <summary>Parsing notes</summary>
          <p>{m.problems}</p>
        </details>
      )}
      {mode === "html" ? <MailFrame html={html} title={`Message from ${displayName(m.from)}: ${m.subject}`} /> : <div className="msg-body">{full ? m.text : visible}</div>}
      {(m.html || more) && m.kind !== "note" && (
        <div className="msg-foot">
          {m.html && (
            <button className="btn btn-ghost btn-sm" onClick={() => setMode(mode === "html" ? "text" : "html")}>
              {mode === "html" ? "Show plain text" : "Show formatted"}
            </button>
          )}
          {mode === "text" && more && (
            <button className="btn btn-ghost btn-sm" onClick={() => setFull((f) => !f)} aria-expanded={full}>
              {toggleLabel[more][full ? 1 : 0]}
            </button>
          )}
        </div>
      )}
      {m.attachments.length > 0 && (
        <div className="attachments">
          {m.attachments.map((a) => {
            const href = `/api/v1/attachments/${a.id}/content`;
            const image = /^image\/(png|jpe?g|gif|webp)$/i.test(a.content_type);
            return (
              <a key={a.id} className="attachment" href={href} download={a.filename} title={`Download ${a.filename}`} aria-label={`Download ${a.filename} (${formatBytes(a.size)})`}>
                {image && <img src={href} alt="" loading="lazy" />}
                <span className="stack tight">
                  <span className="name">{a.filename || "attachment"}</span>
                  <span className="muted small">
                    {formatBytes(a.size)} · {a.content_type}
                  </span>
                </span>
              </a>
            );
          })}
        </div>
      )}
    </article>
  );
}
