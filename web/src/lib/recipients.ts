// Reply-all recipients: whom a reply goes to besides the requester. The
// server applies the same rule when a reply gives no Cc (ticket.Reply):
// the answered message's To and Cc, without our own mailbox addresses
// (compared as mail.BaseAddress does: lower case, no +tag) and without the
// requester, each address once.
import type { Address, Message } from "../api/generated";

/** baseAddress lower-cases an address and drops a +tag from its local part. */
export function baseAddress(addr: string): string {
  const a = addr.trim().toLowerCase();
  const at = a.lastIndexOf("@");
  if (at < 0) return a;
  const local = a.slice(0, at);
  const plus = local.indexOf("+");
  return (plus >= 0 ? local.slice(0, plus) : local) + a.slice(at);
}

/** answeredMessage is what a reply answers: the customer's newest message, else the newest mail. */
export function answeredMessage(messages: Message[]): Message | undefined {
  const mail = messages.filter((m) => m.kind === "inbound" || m.kind === "outbound");
  return mail.findLast((m) => m.kind === "inbound") ?? mail.at(-1);
}

/** replyAllCc lists the reply's Cc: the answered message's other To and Cc addresses. */
export function replyAllCc(messages: Message[], requester: string, ours: Iterable<string>): Address[] {
  const m = answeredMessage(messages);
  if (!m) return [];
  const skip = new Set([...ours].map(baseAddress));
  const seen = new Set<string>([requester.trim().toLowerCase()]);
  const out: Address[] = [];
  for (const a of [...m.to, ...m.cc]) {
    const email = a.email.trim().toLowerCase();
    if (!email || seen.has(email) || skip.has(baseAddress(email))) continue;
    seen.add(email);
    out.push({ email, name: a.name });
  }
  return out;
}

/** ourAddresses: every mailbox's address when the list is known, else what the ticket's mail was sent from. */
export function ourAddresses(mailboxes: { address: string }[] | undefined, messages: Message[]): string[] {
  if (mailboxes) return mailboxes.map((m) => m.address);
  return messages.filter((m) => m.kind !== "inbound" && m.kind !== "note").map((m) => m.from.email);
}
