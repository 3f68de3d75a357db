import { useState } from "react";
import type { Ticket, TicketUpdate } from "../../api/generated";
import { absoluteTime } from "../../lib/format";

/** Tomorrow at 9:00 and next Monday at 9:00, local time, from now. */
export function snoozePresets(now: Date): { label: string; at: Date }[] {
  const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0);
  const days = ((8 - now.getDay()) % 7) || 7; // next Monday, never today
  const nextWeek = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days, 9, 0, 0);
  return [
    { label: "Tomorrow 9:00", at: tomorrow },
    { label: "Next week", at: nextWeek },
  ];
}

/**
 * Snooze: the ticket goes pending until a time, then the server reopens it
 * (a customer reply wakes it sooner). Shows a badge while snoozed.
 */
export function SnoozeControl({ ticket, change, now = () => new Date() }: { ticket: Ticket; change: (data: TicketUpdate, optimistic: Partial<Ticket>) => Promise<boolean>; now?: () => Date }) {
  const [custom, setCustom] = useState("");
  const [open, setOpen] = useState(false);
  const snooze = async (at: Date) => {
    const iso = at.toISOString();
    if (await change({ status: "pending", snooze_until: iso }, { status: "pending", snooze_until: iso })) {
      setOpen(false);
      setCustom("");
    }
  };
  const until = ticket.snooze_until;
  if (ticket.status === "closed") return null;
  return (
    <div className="field">
      <span className="label">Snooze</span>
      {until && (
        <div className="row">
          <span className="badge" role="status" title={absoluteTime(until)}>
            Snoozed until {absoluteTime(until)}
          </span>
          <button className="btn btn-sm" type="button" onClick={() => void change({ snooze_until: null }, { snooze_until: null })}>
            Unsnooze
          </button>
        </div>
      )}
      {!open ? (
        <button className="btn btn-sm" type="button" onClick={() => setOpen(true)}>
          {until ? "Snooze again…" : "Snooze…"}
        </button>
      ) : (
        <div className="row wrap">
          {snoozePresets(now()).map((p) => (
            <button key={p.label} className="btn btn-sm" type="button" title={absoluteTime(p.at.toISOString())} onClick={() => void snooze(p.at)}>
              {p.label}
            </button>
          ))}
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (custom) void snooze(new Date(custom));
            }}
          >
            <input className="input" type="datetime-local" aria-label="Snooze until" value={custom} onChange={(e) => setCustom(e.target.value)} />
            <button className="btn btn-sm" type="submit" disabled={!custom}>
              Snooze
            </button>
          </form>
        </div>
      )}
    </div>
  );
}
