// Live updates: which cached queries an event from /api/v1/events/stream
// makes stale. Query keys are orval's: ["/api/v1/tickets", params] for the
// queue (["infinate", "/api/v1/tickets", params] for its paged form),
// ["/api/v1/tickets/42"], ["/api/v1/tickets/42/messages"], [".../events"].
import type { QueryKey } from "@tanstack/react-query";

export type StreamEventType = "ticket.created" | "ticket.updated" | "message.added" | "notification.added" | "presence.changed";

export interface Viewer {
  user_id: number;
  name: string;
  typing: boolean;
}

export interface StreamEvent {
  type: StreamEventType;
  ticket_id: number;
  message_id?: number;
  user_id?: number;
  /** presence.changed: everyone on the ticket's page now. */
  viewers?: Viewer[];
}

export const STREAM_EVENT_TYPES: StreamEventType[] = ["ticket.created", "ticket.updated", "message.added", "notification.added", "presence.changed"];

function parseViewers(v: unknown): Viewer[] | null {
  const list = (v as { viewers?: unknown } | null)?.viewers;
  if (!Array.isArray(list)) return null;
  const out: Viewer[] = [];
  for (const x of list) {
    if (!x || typeof x.user_id !== "number" || typeof x.name !== "string") return null;
    out.push({ user_id: x.user_id, name: x.name, typing: x.typing === true });
  }
  return out;
}

/** parseStreamEvent reads one SSE data payload; null if it is not a stream event. */
export function parseStreamEvent(data: string): StreamEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(data);
  } catch {
    return null;
  }
  if (!v || typeof v !== "object") return null;
  const e = v as Record<string, unknown>;
  if (!STREAM_EVENT_TYPES.includes(e.type as StreamEventType)) return null;
  if (typeof e.ticket_id !== "number" || !Number.isFinite(e.ticket_id)) return null;
  const out: StreamEvent = { type: e.type as StreamEventType, ticket_id: e.ticket_id };
  if (typeof e.message_id === "number") out.message_id = e.message_id;
  if (typeof e.user_id === "number") out.user_id = e.user_id;
  if (out.type === "presence.changed") {
    const viewers = parseViewers(e.presence);
    if (!viewers) return null;
    out.viewers = viewers;
  }
  return out;
}

/** isQueueKey: any page of any ticket list. */
export function isQueueKey(key: QueryKey): boolean {
  // The sidebar's counts move with the queues.
  return key[0] === "/api/v1/tickets" || key[0] === "/api/v1/views/counts" || (key[0] === "infinate" && key[1] === "/api/v1/tickets") ||
    (key[0] === "infinite" && key[1] === "/api/v1/tickets");
}

/**
 * affectedBy says whether a cached query is stale after an event: every
 * ticket list (a change can move a ticket in or out of any view and
 * reorders by activity), and the one ticket's detail, messages and events
 * (messages on an update only when it names a message: a delivery state).
 */
export function affectedBy(event: StreamEvent, key: QueryKey): boolean {
  // A notification (the server sends a user only their own) is the bell's.
  if (event.type === "notification.added") return key[0] === "/api/v1/notifications";
  // Presence is written into the cache as it comes (app/live.ts), never refetched.
  if (event.type === "presence.changed") return false;
  if (isQueueKey(key)) return true;
  const base = `/api/v1/tickets/${event.ticket_id}`;
  const k = key[0];
  if (typeof k !== "string") return false;
  switch (event.type) {
    case "ticket.created":
      return false;
    case "ticket.updated":
      // With a message id it is that message's delivery state that changed.
      return k === base || k === `${base}/events` || (event.message_id !== undefined && k === `${base}/messages`);
    case "message.added":
      return k === base || k === `${base}/messages` || k === `${base}/events`;
  }
  return false;
}
