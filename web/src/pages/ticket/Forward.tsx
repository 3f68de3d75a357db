import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useCreateForward, type Message, type Ticket } from "../../api/generated";
import { invalidateTicket, putMessage } from "../../lib/ticketMutations";
import { errorMessage } from "../../components/States";

/** forwardable: the messages a forward may carry (never notes, nor our acknowledgements), oldest first. */
export function forwardable(messages: Message[]): Message[] {
  return messages.filter((m) => m.kind !== "note" && !(m.kind === "outbound" && m.auto_reason));
}

/** defaultChosen: the whole conversation with the customer (what the server sends by default). */
export function defaultChosen(messages: Message[]): number[] {
  return forwardable(messages)
    .filter((m) => m.kind !== "auto_reply" && !m.auto_reason && !m.party)
    .map((m) => m.id);
}

/**
 * ForwardButton: forward chosen messages of the ticket (with their
 * attachments) to a third party by email; their answer comes back onto the
 * ticket, marked as theirs.
 */
export function ForwardButton({ ticket, messages }: { ticket: Ticket; messages: Message[] }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="btn btn-sm btn-ghost" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        Forward
      </button>
      {open && <ForwardForm ticket={ticket} messages={messages} onClose={() => setOpen(false)} />}
    </>
  );
}

function ForwardForm({ ticket, messages, onClose }: { ticket: Ticket; messages: Message[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [to, setTo] = useState("");
  const [body, setBody] = useState("");
  const [chosen, setChosen] = useState<number[]>(() => defaultChosen(messages));
  const forward = useCreateForward({
    mutation: {
      onSuccess: (m) => {
        putMessage(qc, ticket.id, m);
        invalidateTicket(qc, ticket.id);
        onClose();
      },
    },
  });
  const list = forwardable(messages);
  const toggle = (id: number) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  return (
    <div className="forward-sheet" role="dialog" aria-label="Forward to a third party">
      <form
        className="card forward-form"
        onSubmit={(e) => {
          e.preventDefault();
          const recipients = to
            .split(/[,;\s]+/)
            .map((s) => s.trim())
            .filter(Boolean);
          forward.mutate({ id: ticket.id, data: { to: recipients, body, message_ids: chosen } });
        }}
      >
        <h2 className="h3">Forward to a third party</h2>
        <label>
          To
          <input type="text" value={to} onChange={(e) => setTo(e.target.value)} placeholder="partner@example.com" autoFocus required />
        </label>
        <label>
          Message
          <textarea rows={3} value={body} onChange={(e) => setBody(e.target.value)} placeholder="Could you look into this?" />
        </label>
        <fieldset>
          <legend>Messages to forward (notes never leave)</legend>
          {list.map((m) => (
            <label key={m.id} className="check">
              <input type="checkbox" checked={chosen.includes(m.id)} onChange={() => toggle(m.id)} />
              <span className="clamp">
                {m.from.name || m.from.email}: {(m.visible_text || m.text).slice(0, 80)}
                {m.attachments.length > 0 ? ` (${m.attachments.length} attachment${m.attachments.length > 1 ? "s" : ""})` : ""}
              </span>
            </label>
          ))}
        </fieldset>
        {forward.error && <div className="banner banner-error">{errorMessage(forward.error)}</div>}
        <div className="row">
          <button className="btn btn-primary" type="submit" disabled={forward.isPending || chosen.length === 0}>
            {forward.isPending ? "Forwarding…" : "Send forward"}
          </button>
          <button className="btn btn-ghost" type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
