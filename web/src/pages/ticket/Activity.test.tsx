// @vitest-environment jsdom
import { afterEach, expect, it } from "vitest";
import { render, serve, settle, type Rendered } from "../../test/render";
import { Activity } from "./Activity";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

it("lists the ticket's events in words, oldest first, naming agents", async () => {
  serve({
    "GET /api/v1/users": () => ({ items: [{ id: 1, email: "ada@example.com", name: "Ada Admin", role: "admin", disabled: false }, { id: 2, email: "bob@example.com", name: "Bob Agent", role: "agent", disabled: false }] }),
    "GET /api/v1/tickets/7/events": () => ({
      items: [
        { id: 1, actor: "carol@customer.example", actor_id: null, kind: "ticket_created", field: "", before: "", after: "", created_at: "2026-01-01T10:00:00Z" },
        { id: 2, actor: "ada@example.com", actor_id: 1, kind: "status_changed", field: "status", before: "open", after: "pending", created_at: "2026-01-01T11:00:00Z" },
        { id: 3, actor: "ada@example.com", actor_id: 1, kind: "assignee_changed", field: "assignee", before: "", after: "bob@example.com", created_at: "2026-01-01T11:00:00Z" },
      ],
    }),
    "GET /api/v1/tickets/7/messages": () => ({ items: [] }),
  });
  r = await render(<Activity ticketId={7} requester={{ email: "carol@customer.example", name: "Carol Customer" }} />);
  await settle();
  const lines = [...r.container.querySelectorAll(".timeline li span")].map((li) => li.textContent);
  expect(lines).toEqual(["Carol Customer opened the ticket", "Ada Admin changed status: open → pending", "Ada Admin set assignee to Bob Agent"]);
});

it("tells how each mail joined the ticket, in time order with the changes", async () => {
  const mail = (id: number, at: string, by: string | null, key = "") => ({
    id, kind: "inbound", message_id: `m${id}@x`, from: { email: "carol@customer.example", name: "Carol Customer" }, to: [], cc: [], subject: "s",
    text: "t", html: "", visible_text: "t", attachments: [], created_at: at, delivery: null, threaded_by: by, threaded_key: key,
  });
  serve({
    "GET /api/v1/users": () => ({ items: [] }),
    "GET /api/v1/tickets/7/events": () => ({
      items: [
        { id: 1, actor: "carol@customer.example", actor_id: null, kind: "ticket_created", field: "", before: "", after: "", created_at: "2026-01-01T10:00:00Z" },
        { id: 2, actor: "system", actor_id: null, kind: "ticket_linked", field: "follows", before: "", after: "3", created_at: "2026-01-01T10:00:00Z" },
      ],
    }),
    "GET /api/v1/tickets/7/messages": () => ({
      items: [mail(1, "2026-01-01T10:00:00Z", "new"), mail(2, "2026-01-01T12:00:00Z", "in-reply-to", "m1@x"), { ...mail(3, "2026-01-01T13:00:00Z", null), kind: "note" }],
    }),
  });
  r = await render(<Activity ticketId={7} />);
  await settle();
  const lines = [...r.container.querySelectorAll(".timeline li span")].map((li) => li.textContent);
  expect(lines).toEqual([
    "carol@customer.example opened the ticket",
    "system followed up closed ticket #3",
    "Carol Customer wrote: the mail started this ticket",
    "Carol Customer wrote: the mail joined by In-Reply-To <m1@x>",
  ]);
});
