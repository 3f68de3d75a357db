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
  ticket_linked: (ev) => (ev.field === "followed_by" ? `wrote again after it was closed: continued in #${ev.after}` : `followed up closed ticket #${ev.after}`),
  marked_spam: (ev) => `marked the ticket as spam${ev.after ? ` and blocked ${ev.after}` : ""}`,
  spam_restored: () => "restored the ticket from spam",
  merged_into: (ev) => `merged this ticket into #${ev.after}`,
  merged_from: (ev) => `merged #${ev.after} into this ticket`,
  split_to: (ev) => `split messages off into #${ev.after}`,
  split_from: (ev) => `split this ticket off #${ev.after}`,
  snoozed: (ev) => (ev.after ? `snoozed the ticket until ${new Date(ev.after).toLocaleString()}` : "unsnoozed the ticket"),
  snooze_woke: () => ": the snoozed ticket woke up",
  // The actor is "rule: <name>".
  rule_fired: () => "fired",
  rule_failed: (ev) => `could not act (${ev.after.split(": ").slice(1).join(": ")})`,
  sla_breached: (ev) => `: SLA ${ev.after.replace("_", " ")} breached`,
  csat_sent: (ev) => `: a satisfaction survey was mailed to ${ev.after}`,
  csat_rated: (ev) => `rated the ticket ${ev.after === "good" ? "Good" : "Bad"}${ev.before ? ` (was ${ev.before === "good" ? "Good" : "Bad"})` : ""}`,
  forwarded: (ev) => `forwarded messages to ${ev.after}`,
  auto_assigned: (ev) => `assigned the ticket by ${ev.after === "load_balanced" ? "load balancing" : "round robin"}${ev.before ? ` (team ${ev.before})` : ""}`,
};

/** People the log can name: agents, by id and by address. */
export interface People {
  byId: ReadonlyMap<number, string>;
  byEmail: ReadonlyMap<string, string>;
}

export const nobody: People = { byId: new Map(), byEmail: new Map() };

/**
 * peopleFrom indexes the users' names (their address when they have none),
 * and the names of other people the ticket knows (its requester).
 */
export function peopleFrom(users: { id: number; email: string; name: string }[], others: { email: string; name: string }[] = []): People {
  const byId = new Map<number, string>();
  const byEmail = new Map<string, string>();
  for (const p of others) if (p.name.trim()) byEmail.set(p.email.toLowerCase(), p.name.trim());
  for (const u of users) {
    const name = u.name.trim() || u.email;
    byId.set(u.id, name);
    byEmail.set(u.email.toLowerCase(), name);
  }
  return { byId, byEmail };
}

/** actorName: who did it, by name where known; "system" for the server itself. */
export function actorName(ev: { actor: string; actor_id: number | null }, people: People = nobody): string {
  return (ev.actor_id != null ? people.byId.get(ev.actor_id) : undefined) ?? people.byEmail.get(ev.actor.toLowerCase()) ?? (ev.actor || "system");
}

// Fields whose values are agents' addresses.
const personFields = new Set(["assignee"]);

/** describeEvent is what the actor did, in words, with agents named where known. */
export function describeEvent(ev: EventLike, people: People = nobody): string {
  const known = eventText[ev.kind];
  if (known) return known(ev);
  if (personFields.has(ev.field)) {
    const name = (v: string) => (v && people.byEmail.get(v.toLowerCase())) || v;
    ev = { ...ev, before: name(ev.before), after: name(ev.after) };
  }
  if (ev.field) {
    if (!ev.before) return `set ${ev.field} to ${ev.after || "—"}`;
    if (!ev.after) return `cleared ${ev.field} (was ${ev.before})`;
    return `changed ${ev.field}: ${ev.before} → ${ev.after}`;
  }
  return ev.kind.replace(/[._]/g, " ");
}
