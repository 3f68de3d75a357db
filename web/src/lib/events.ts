// Event descriptions for a ticket's activity log: one line per audit event
// from GET /api/v1/tickets/{id}/events ("changed status: open → pending").

export interface EventLike {
  kind: string;
  field: string;
  before: string;
  after: string;
}

// Kinds with their own sentence; field changes are described generically.
const eventText: Record<string, (ev: EventLike) => string> = {
  ticket_created: () => "opened the ticket",
  reply_queued: () => "replied",
  note_added: () => "added a note",
  delivery_retried: () => "retried a delivery",
  delivery_failed: (ev) => `: a delivery failed${ev.before ? ` (${ev.before})` : ""}`,
};

/** describeEvent is what the actor did, in words. */
export function describeEvent(ev: EventLike): string {
  const known = eventText[ev.kind];
  if (known) return known(ev);
  if (ev.field) {
    if (!ev.before) return `set ${ev.field} to ${ev.after || "—"}`;
    if (!ev.after) return `cleared ${ev.field} (was ${ev.before})`;
    return `changed ${ev.field}: ${ev.before} → ${ev.after}`;
  }
  return ev.kind.replace(/[._]/g, " ");
}
