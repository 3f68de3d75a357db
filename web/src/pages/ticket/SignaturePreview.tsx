import type { Mailbox, Ticket, User } from "../../api/generated";
import { renderMacro } from "../../lib/macros";

/**
 * signatureBlock is what the server appends to a reply: "-- ", then the
 * agent's signature and the mailbox's, placeholders filled ("" when none).
 */
export function signatureBlock(ticket: Ticket, me: User | undefined, mailbox: Mailbox | undefined): string {
  const ctx = { ticketId: ticket.id, subject: ticket.subject, requesterName: ticket.requester.name, agentName: me?.name.trim() || me?.email || "" };
  const sigs = [me?.signature ?? "", mailbox?.signature ?? ""].map((s) => renderMacro(s, ctx).trim()).filter(Boolean);
  return sigs.length ? `-- \n${sigs.join("\n\n")}` : "";
}

/** A muted preview, under the reply body, of the signatures sending adds. */
export function SignaturePreview({ ticket, me, mailboxes }: { ticket: Ticket; me: User | undefined; mailboxes: Mailbox[] | undefined }) {
  const block = signatureBlock(ticket, me, mailboxes?.find((m) => m.id === ticket.mailbox_id));
  if (!block) return null;
  return (
    <pre className="muted signature-preview" aria-label="Signature added when sending" style={{ whiteSpace: "pre-wrap", margin: "0.25rem 0", font: "inherit" }}>
      {block}
    </pre>
  );
}
