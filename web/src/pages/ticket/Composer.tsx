import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { useListMailboxes, type Address, type Message, type Ticket } from "../../api/generated";
import { displayName, formatBytes, parseAddressList } from "../../lib/format";
import { loadDraft, saveDraft, type DraftKind } from "../../lib/drafts";
import { browserStorage } from "../../lib/storage";
import { ourAddresses, replyAllCc } from "../../lib/recipients";
import { useTicketMutations } from "../../lib/ticketMutations";
import { ErrorBanner } from "../../components/States";
import { useMe } from "../../app/session";
import type { Macro } from "../../api/generated";
import { MacroList, macroActionsLabel, useMacroPicker } from "./MacroPicker";
import { SignaturePreview } from "./SignaturePreview";
import { MentionList, useMentionPicker } from "./MentionPicker";
import { newerMessages, newestId } from "../../lib/presence";
import { absoluteTime } from "../../lib/format";

/** addTyped adds typed addresses ("a@x, b@y") to the chips, each once. */
function addTyped(list: Address[], text: string): Address[] {
  const have = new Set(list.map((a) => a.email.toLowerCase()));
  const typed = parseAddressList(text).filter((e) => !have.has(e.toLowerCase()) && have.add(e.toLowerCase()));
  return [...list, ...typed.map((email) => ({ email, name: "" }))];
}

export function Composer({
  ticket,
  messages,
  onTyping,
  onSent,
}: {
  ticket: Ticket;
  messages: Message[];
  /** A key was pressed in the reply (presence: "typing…"). */
  onTyping?: () => void;
  /** The reply went, or the tab changed: typing ended. */
  onSent?: () => void;
}) {
  const mutations = useTicketMutations(ticket.id);
  // The reply and the note are two drafts, each kept in the browser.
  const [storage] = useState(browserStorage);
  const [drafts] = useState(() => ({ reply: loadDraft(storage, ticket.id, "reply"), note: loadDraft(storage, ticket.id, "note") }));
  const [tab, setTab] = useState<DraftKind>(drafts.note && !drafts.reply ? "note" : "reply");
  const [bodies, setBodies] = useState({ reply: drafts.reply?.body ?? "", note: drafts.note?.body ?? "" });
  const body = bodies[tab];
  const setBody = (v: string) => setBodies((b) => ({ ...b, [tab]: v }));
  // null: the reply-all Cc of the conversation, until the agent edits it.
  const [cc, setCc] = useState<Address[] | null>(drafts.reply?.cc ?? null);
  const [ccText, setCcText] = useState("");
  useEffect(() => saveDraft(storage, ticket.id, "reply", cc ? { body: bodies.reply, cc } : { body: bodies.reply }), [storage, ticket.id, bodies.reply, cc]);
  useEffect(() => saveDraft(storage, ticket.id, "note", { body: bodies.note }), [storage, ticket.id, bodies.note]);
  const [files, setFiles] = useState<File[]>([]);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState("");
  // Collision detection: the newest message shown when the agent opened the
  // ticket (or read the newer ones); a reply names it, and the server
  // answers 409 with what arrived since, shown in conflict.
  const seen = useRef<number | undefined>(newestId(messages));
  useEffect(() => {
    if (seen.current === undefined) seen.current = newestId(messages);
  }, [messages]);
  const [conflict, setConflict] = useState<Message[] | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  // A macro picked in the reply ("/" or "#"): its actions go with the reply.
  const textRef = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes once a picked macro or mention is in the text: set
  // as the new text renders, before the next key is handled (a timer could
  // run after it, and the next letters would land before the first).
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (pendingCaret.current !== null) {
      textRef.current?.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  }, [bodies]);
  const [macro, setMacro] = useState<Macro | null>(null);
  const me = useMe().data;
  const picker = useMacroPicker(
    bodies.reply,
    (text, caret) => {
      setBodies((b) => ({ ...b, reply: text }));
      pendingCaret.current = caret;
    },
    { ticketId: ticket.id, subject: ticket.subject, requesterName: ticket.requester.name, agentName: me?.name || me?.email || "" },
    setMacro,
    tab === "reply",
  );
  // "@name" in a note: the server notifies only for notes (internal/notify).
  const mentions = useMentionPicker(
    bodies.note,
    (text, caret) => {
      setBodies((b) => ({ ...b, note: text }));
      pendingCaret.current = caret;
    },
    me?.id,
    tab === "note",
  );
  const mailboxes = useListMailboxes({ query: { staleTime: 60_000 } });
  const shownCc = cc ?? replyAllCc(messages, ticket.requester.email, ourAddresses(mailboxes.data?.items, messages));
  // Typed addresses become chips on Enter, comma or leaving the field.
  const withTyped = () => addTyped(shownCc, ccText);
  const commitTyped = () => {
    if (!ccText.trim()) return;
    setCc(withTyped());
    setCcText("");
  };

  // What was sent goes, with its draft; the other tab's draft stays.
  const reset = (sentTab: DraftKind) => {
    setBodies((b) => ({ ...b, [sentTab]: "" }));
    if (sentTab === "note") return;
    setMacro(null);
    setFiles([]);
    setCc(null);
    setCcText("");
    if (fileRef.current) fileRef.current.value = "";
  };

  const submit = async (e?: React.FormEvent, force = false) => {
    e?.preventDefault();
    if (!body.trim() || sending) return;
    setError(null);
    setConflict(null);
    setSending(true);
    try {
      if (tab === "reply") {
        // Exactly the chips shown (and an address still being typed); one
        // empty cc field says "no Cc" rather than "the conversation's".
        const list = withTyped().map((a) => a.email);
        const after = seen.current !== undefined ? { after_message_id: seen.current } : {};
        const m = await mutations.reply({ body, cc: list.length ? list : [""], files, ...(macro ? { macro_id: macro.id } : {}), ...after, ...(force ? { force } : {}) });
        seen.current = Math.max(newestId(messages) ?? 0, m.id);
        onSent?.();
        setSent("Reply queued for delivery");
      } else {
        await mutations.note(body);
        setSent("Note added");
      }
      reset(tab);
    } catch (err) {
      const newer = newerMessages(err);
      if (newer) setConflict(newer);
      else setError(err);
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
            <div className="field">
              <label className="label" htmlFor={`cc-${ticket.id}`}>
                Cc
              </label>
              <div className="input chips" data-testid="cc-chips">
                {shownCc.map((a) => (
                  <span key={a.email} className="tag chip" title={a.email}>
                    {a.name ? `${a.name} <${a.email}>` : a.email}
                    <button className="btn btn-ghost btn-sm" type="button" aria-label={`Remove Cc ${a.email}`} onClick={() => setCc(shownCc.filter((x) => x !== a))}>
                      ×
                    </button>
                  </span>
                ))}
                <input
                  id={`cc-${ticket.id}`}
                  name="cc"
                  value={ccText}
                  onChange={(e) => {
                    if (/[,;]$/.test(e.target.value)) {
                      setCc(addTyped(shownCc, e.target.value));
                      setCcText("");
                    } else setCcText(e.target.value);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && ccText.trim()) {
                      e.preventDefault();
                      commitTyped();
                    } else if (e.key === "Backspace" && !ccText && shownCc.length) setCc(shownCc.slice(0, -1));
                  }}
                  onBlur={commitTyped}
                  placeholder={shownCc.length ? "" : "name@example.com"}
                />
              </div>
            </div>
          </>
        )}
        <label className="field macro-picker">
          <span className="sr-only">{tab === "reply" ? "Reply" : "Note"}</span>
          <textarea
            ref={textRef}
            className="input"
            name="body"
            rows={6}
            placeholder={tab === "reply" ? "Write a reply… (/ or # for a macro)" : "Write a note only agents can see… (@ to mention an agent)"}
            value={body}
            {...mentions.inputProps}
            onChange={(e) => {
              setBody(e.target.value);
              if (tab === "reply") onTyping?.();
              if (tab === "reply") picker.onInput(e.target.value, e.target.selectionStart ?? e.target.value.length);
              if (tab === "note") mentions.onInput(e.target.value, e.target.selectionStart ?? e.target.value.length);
            }}
            onSelect={(e) => {
              if (tab === "note") mentions.onCaret(e.currentTarget.selectionStart ?? 0);
            }}
            onKeyDown={(e) => {
              if (tab === "reply" && picker.onKeyDown(e)) return;
              if (tab === "note" && mentions.onKeyDown(e)) return;
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void submit();
            }}
          />
          {tab === "reply" && <MacroList picker={picker} />}
          {tab === "note" && <MentionList picker={mentions} />}
        </label>
        {tab === "reply" && <SignaturePreview ticket={ticket} me={me} mailboxes={mailboxes.data?.items} />}
        {tab === "reply" && macro && (
          <div className="small muted row" data-testid="macro-applied">
            Macro <strong>{macro.name}</strong>
            {macroActionsLabel(macro) && <> · on send: {macroActionsLabel(macro)}</>}
            <button className="btn btn-ghost btn-sm" type="button" aria-label="Do not apply the macro's actions" onClick={() => setMacro(null)}>
              ×
            </button>
          </div>
        )}
        <ErrorBanner error={error} />
        {tab === "reply" && conflict && (
          <NewerMessages
            messages={conflict}
            sending={sending}
            onSend={() => void submit(undefined, true)}
            onCancel={() => {
              // Read now: a later send is not stopped again for these.
              seen.current = Math.max(seen.current ?? 0, newestId(conflict) ?? 0);
              setConflict(null);
            }}
          />
        )}
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

/** NewerMessages: what arrived while the agent wrote, with the choice to send anyway. */
export function NewerMessages({ messages, sending, onSend, onCancel }: { messages: Message[]; sending: boolean; onSend: () => void; onCancel: () => void }) {
  const n = messages.length;
  // The warning replaces the send: bring it (and its buttons) into view
  // even when the agent had scrolled the composer half out of the window.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.scrollIntoView?.({ block: "nearest" });
  }, [messages]);
  return (
    <div ref={box} className="banner banner-warning newer-messages" role="alert" data-testid="newer-messages">
      <strong>
        {n === 1 ? "A new message" : `${n} new messages`} arrived while you were writing. Read {n === 1 ? "it" : "them"} before you send.
      </strong>
      <ul>
        {messages.map((m) => (
          <li key={m.id}>
            <div className="small muted">
              {displayName(m.from)} · {absoluteTime(m.created_at)}
              {m.kind === "outbound" && " · reply by another agent"}
            </div>
            <div className="newer-text">{(m.visible_text || m.text).trim().slice(0, 600)}</div>
          </li>
        ))}
      </ul>
      <div className="row">
        <div className="spacer" />
        <button className="btn btn-sm" type="button" onClick={onCancel} disabled={sending}>
          Cancel
        </button>
        <button className="btn btn-primary btn-sm" type="button" onClick={onSend} disabled={sending}>
          Send anyway
        </button>
      </div>
    </div>
  );
}
