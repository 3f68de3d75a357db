import { beforeEach, describe, expect, it } from "vitest";
import { QueryClient } from "@tanstack/react-query";
import type { Message, Ticket, TicketUpdate } from "../api/generated";
import { invalidateTicket, putMessage, ticketMutations, type TicketApi } from "./ticketMutations";

const T = 7;
const ticket = (over: Partial<Ticket> = {}): Ticket => ({ id: T, status: "open", priority: "normal", tags: [], subject: "s", ...over }) as Ticket;
const message = (id: number, text = "hi"): Message => ({ id, text }) as unknown as Message;

const keys = {
  ticket: [`/api/v1/tickets/${T}`],
  messages: [`/api/v1/tickets/${T}/messages`],
  events: [`/api/v1/tickets/${T}/events`],
  queue: ["infinate", "/api/v1/tickets", { status: "new,open,pending" }],
  other: [`/api/v1/tickets/${T + 1}`],
};

/** A controllable API: each call waits until the test settles it. */
function fakeApi() {
  const calls: { what: string; args: unknown[]; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  const call = (what: string) => (...args: unknown[]) => new Promise<never>((resolve, reject) => calls.push({ what, args, resolve: resolve as (v: unknown) => void, reject }));
  const api = { updateTicket: call("update"), createReply: call("reply"), createNote: call("note"), retryMessage: call("retry") } as unknown as TicketApi;
  return { api, calls };
}

let qc: QueryClient;
beforeEach(() => {
  qc = new QueryClient();
  qc.setQueryData(keys.ticket, ticket());
  qc.setQueryData(keys.messages, { items: [message(1), message(2)] });
  qc.setQueryData(keys.events, { items: [] });
  qc.setQueryData(keys.queue, { pages: [] });
  qc.setQueryData(keys.other, ticket({ id: T + 1 }));
});
const stale = (key: readonly unknown[]) => qc.getQueryState(key)?.isInvalidated ?? false;
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("invalidateTicket", () => {
  it("marks the ticket, its events and every queue stale, not other tickets or the messages", () => {
    invalidateTicket(qc, T);
    expect([stale(keys.ticket), stale(keys.events), stale(keys.queue), stale(keys.other), stale(keys.messages)]).toEqual([true, true, true, false, false]);
  });
  it("can leave the ticket itself alone", () => {
    invalidateTicket(qc, T, { detail: false });
    expect([stale(keys.ticket), stale(keys.events), stale(keys.queue)]).toEqual([false, true, true]);
  });
});

describe("putMessage", () => {
  it("appends a new message", () => {
    putMessage(qc, T, message(3));
    expect(qc.getQueryData<{ items: Message[] }>(keys.messages)?.items.map((m) => m.id)).toEqual([1, 2, 3]);
  });
  it("replaces one with the same id in place", () => {
    putMessage(qc, T, message(1, "again"));
    expect(qc.getQueryData<{ items: Message[] }>(keys.messages)?.items.map((m) => [m.id, m.text])).toEqual([[1, "again"], [2, "hi"]]);
  });
});

describe("ticketMutations", () => {
  it("a reply and a note land in the conversation and make the ticket stale", async () => {
    const { api, calls } = fakeApi();
    const m = ticketMutations(qc, T, api);
    const sent = m.reply({ body: "hello", cc: ["a@example.org"] });
    expect(calls[0].args).toEqual([T, { body: "hello", cc: ["a@example.org"] }]);
    calls[0].resolve(message(3));
    await sent;
    const note = m.note("inside");
    expect(calls[1].args).toEqual([T, { body: "inside" }]);
    calls[1].resolve(message(4));
    await note;
    expect(qc.getQueryData<{ items: Message[] }>(keys.messages)?.items.map((x) => x.id)).toEqual([1, 2, 3, 4]);
    expect([stale(keys.ticket), stale(keys.events), stale(keys.queue)]).toEqual([true, true, true]);
  });

  it("an update shows at once and takes the server's answer", async () => {
    const { api, calls } = fakeApi();
    const m = ticketMutations(qc, T, api);
    const done = m.update({ status: "pending" } as TicketUpdate, { status: "pending" });
    expect(qc.getQueryData<Ticket>(keys.ticket)?.status).toBe("pending");
    calls[0].resolve(ticket({ status: "pending", priority: "high" }));
    await done;
    expect(qc.getQueryData<Ticket>(keys.ticket)?.priority).toBe("high");
    expect([stale(keys.ticket), stale(keys.events), stale(keys.queue)]).toEqual([true, true, true]);
  });

  it("a refused update rolls back and rethrows", async () => {
    const { api, calls } = fakeApi();
    const m = ticketMutations(qc, T, api);
    const done = m.update({ status: "closed" } as TicketUpdate, { status: "closed" });
    calls[0].reject(new Error("only a solved ticket can be closed"));
    await expect(done).rejects.toThrow("only a solved ticket");
    expect(qc.getQueryData<Ticket>(keys.ticket)?.status).toBe("open");
  });

  it("with two updates in flight, the earlier answer does not undo the later choice", async () => {
    const { api, calls } = fakeApi();
    const m = ticketMutations(qc, T, api);
    const first = m.update({ priority: "high" } as TicketUpdate, { priority: "high" });
    const second = m.update({ priority: "urgent" } as TicketUpdate, { priority: "urgent" });
    calls[0].resolve(ticket({ priority: "high" }));
    await first;
    expect(qc.getQueryData<Ticket>(keys.ticket)?.priority).toBe("urgent");
    expect(stale(keys.ticket)).toBe(false); // the second is still in flight
    calls[1].resolve(ticket({ priority: "urgent" }));
    await second;
    await flush();
    expect(stale(keys.ticket)).toBe(true);
  });

  it("a retried delivery replaces the message", async () => {
    const { api, calls } = fakeApi();
    const m = ticketMutations(qc, T, api);
    const done = m.retry(2);
    expect(calls[0].args).toEqual([2]);
    calls[0].resolve(message(2, "queued again"));
    await done;
    expect(qc.getQueryData<{ items: Message[] }>(keys.messages)?.items.map((x) => x.text)).toEqual(["hi", "queued again"]);
  });
});
