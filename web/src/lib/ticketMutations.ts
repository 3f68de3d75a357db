// Every change an agent makes on a ticket page, and what each one makes
// stale in the cache, in one place: replies, notes, delivery retries and
// PATCHes of status, priority, assignee and tags.
import { useMemo } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import {
  createNote,
  createReply,
  getGetTicketQueryKey,
  getListEventsQueryKey,
  getListMessagesQueryKey,
  retryMessage,
  updateTicket,
  type CreateReplyBodyTwo,
  type Message,
  type NoteRequest,
  type Ticket,
  type TicketUpdate,
} from "../api/generated";
import { isQueueKey } from "./live";

/** TicketApi is the part of the generated client the mutations call. */
export interface TicketApi {
  updateTicket(id: number, data: TicketUpdate): Promise<Ticket>;
  createReply(id: number, data: CreateReplyBodyTwo): Promise<unknown>;
  createNote(id: number, data: NoteRequest): Promise<Message>;
  retryMessage(id: number): Promise<Message>;
}

const httpApi: TicketApi = { updateTicket, createReply, createNote, retryMessage };

type Messages = { items: Message[] };

/**
 * invalidateTicket marks stale what any change to a ticket touches: its
 * events, every queue (a change moves it in views and reorders them) and,
 * unless told otherwise, the ticket itself.
 */
export function invalidateTicket(qc: QueryClient, ticketId: number, { detail = true } = {}) {
  void qc.invalidateQueries({ queryKey: getListEventsQueryKey(ticketId) });
  void qc.invalidateQueries({ predicate: (q) => isQueueKey(q.queryKey) });
  if (detail) void qc.invalidateQueries({ queryKey: getGetTicketQueryKey(ticketId) });
}

/** putMessage adds a message to the cached conversation, or replaces it (same id). */
export function putMessage(qc: QueryClient, ticketId: number, m: Message) {
  qc.setQueryData<Messages>(getListMessagesQueryKey(ticketId), (old) => {
    if (!old) return old;
    const i = old.items.findIndex((x) => x.id === m.id);
    if (i < 0) return { items: [...old.items, m] };
    const items = old.items.slice();
    items[i] = m;
    return { items };
  });
}

export interface TicketMutations {
  /**
   * update PATCHes the ticket. The cached ticket changes at once
   * (optimistic) and rolls back if refused, which rethrows. While several
   * updates are in flight only the last answer is applied, so an earlier
   * one cannot undo a later choice on screen.
   */
  update(data: TicketUpdate, optimistic: Partial<Ticket>): Promise<void>;
  reply(data: CreateReplyBodyTwo): Promise<Message>;
  note(body: string): Promise<Message>;
  /** retry sends a failed delivery again; the message shows its new state. */
  retry(messageId: number): Promise<Message>;
}

export function ticketMutations(qc: QueryClient, ticketId: number, api: TicketApi = httpApi): TicketMutations {
  const key = getGetTicketQueryKey(ticketId);
  let inflight = 0;
  const added = (m: Message) => {
    putMessage(qc, ticketId, m);
    invalidateTicket(qc, ticketId);
    return m;
  };
  return {
    async update(data, optimistic) {
      const before = qc.getQueryData<Ticket>(key);
      qc.setQueryData<Ticket>(key, (old) => (old ? { ...old, ...optimistic } : old));
      inflight++;
      try {
        const t = await api.updateTicket(ticketId, data);
        if (inflight === 1) qc.setQueryData(key, t);
      } catch (err) {
        qc.setQueryData(key, before);
        throw err;
      } finally {
        inflight--;
        invalidateTicket(qc, ticketId, { detail: inflight === 0 });
      }
    },
    async reply(data) {
      return added((await api.createReply(ticketId, data)) as Message);
    },
    async note(body) {
      return added(await api.createNote(ticketId, { body }));
    },
    async retry(messageId) {
      const m = await api.retryMessage(messageId);
      putMessage(qc, ticketId, m);
      return m;
    },
  };
}

/** useTicketMutations: the mutations of one ticket, stable while the page shows it. */
export function useTicketMutations(ticketId: number): TicketMutations {
  const qc = useQueryClient();
  return useMemo(() => ticketMutations(qc, ticketId), [qc, ticketId]);
}
