// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../api/generated";
import { click, render, serve, settle, type Rendered } from "../../test/render";
import { Conversation } from "./Conversation";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

const msg = (id: number, text: string, extra: Partial<Message> = {}): Message =>
  ({ id, kind: "inbound", message_id: `m${id}`, from: { email: "carol@customer.example", name: "Carol" }, to: [], cc: [], subject: "Printer",
    text, html: "", visible_text: text, attachments: [], created_at: "2026-01-01T10:00:00Z", delivery: null, ...extra }) as Message;

const button = (name: string) => [...r!.container.querySelectorAll("button")].find((b) => b.textContent === name);

describe("Conversation", () => {
  it("shows a cut message whole when asked", async () => {
    const seen = serve({
      "GET /api/v1/users": () => ({ items: [] }),
      "GET /api/v1/messages/5/body": () => ({ id: 5, subject: "Printer", text: "start… and the whole end", html: "", visible_text: "start… and the whole end" }),
    });
    r = await render(<Conversation ticketId={7} items={[msg(5, "start…", { truncated: true }), msg(6, "short")]} />);
    await settle();
    expect(r.container.textContent).toContain("part of it is shown");
    expect(seen.some((s) => s.url.includes("/body"))).toBe(false);
    await click(button("Show the whole message")!);
    await settle();
    await settle();
    expect(r.container.textContent).toContain("and the whole end");
    expect(r.container.textContent).not.toContain("part of it is shown");
    expect(seen.filter((s) => s.url.includes("/body")).map((s) => s.url)).toEqual(["/api/v1/messages/5/body"]);
  });

  it("loads the next pages of a long ticket", async () => {
    const seen = serve({
      "GET /api/v1/users": () => ({ items: [] }),
      "GET /api/v1/tickets/7/messages": (req) =>
        req.url.includes("cursor=c1") ? { items: [msg(3, "third")], next_cursor: "c2" } : { items: [msg(4, "fourth")], next_cursor: null },
    });
    r = await render(<Conversation ticketId={7} items={[msg(1, "first"), msg(2, "second")]} nextCursor="c1" />);
    await settle();
    expect(r.container.textContent).not.toContain("third");
    await click(button("Show more messages")!);
    await settle();
    expect(r.container.textContent).toContain("third");
    await click(button("Show more messages")!);
    await settle();
    expect(r.container.textContent).toContain("fourth");
    expect(button("Show more messages")).toBeUndefined();
    expect(seen.filter((s) => s.url.includes("/messages")).map((s) => s.url)).toEqual([
      "/api/v1/tickets/7/messages?cursor=c1",
      "/api/v1/tickets/7/messages?cursor=c2",
    ]);
  });
});
