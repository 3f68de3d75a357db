// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../api/generated";
import { click, render, type Rendered } from "../test/render";
import { MessageView } from "./MessageView";

const msg = (over: Partial<Message>): Message =>
  ({
    id: 1,
    kind: "inbound",
    message_id: "<a@x>",
    from: { email: "carol@customer.example", name: "Carol" },
    to: [{ email: "help@example.com", name: "" }],
    cc: [],
    subject: "Printer",
    text: "Hello",
    html: "",
    visible_text: "Hello",
    attachments: [],
    created_at: "2026-01-01T10:00:00Z",
    delivery: null,
    ...over,
  }) as Message;

let r: Rendered | undefined;
afterEach(() => r?.unmount());
const show = async (m: Message) => (r = await render(<MessageView m={m} onRetry={() => {}} retrying={false} />));
const buttons = () => [...r!.container.querySelectorAll("button")].map((b) => b.textContent);

describe("the hidden part of a message", () => {
  it("offers no toggle when nothing is hidden", async () => {
    await show(msg({ text: "Hello\n\n", visible_text: "Hello" }));
    expect(buttons()).toEqual([]);
  });
  it("says quoted text only for a quote", async () => {
    await show(msg({ text: "Thanks\n\nOn Mon, Ann wrote:\n> old", visible_text: "Thanks" }));
    expect(buttons()).toEqual(["Show quoted text"]);
    await click(r!.container.querySelector("button")!);
    expect(r!.container.querySelector(".msg-body")?.textContent).toContain("> old");
    expect(buttons()).toEqual(["Hide quoted text"]);
  });
  it("says signature for a signature", async () => {
    await show(msg({ text: "We got it.\n\n-- \nHelp desk", visible_text: "We got it." }));
    expect(buttons()).toEqual(["Show signature"]);
  });
});

describe("parser notes", () => {
  it("sit in a details view, not a warning banner", async () => {
    await show(msg({ problems: "missing Date header" }));
    expect(r!.container.querySelector(".banner-warning")).toBeNull();
    const details = r!.container.querySelector<HTMLDetailsElement>("details.msg-details")!;
    expect(details.open).toBe(false);
    expect(details.querySelector("summary")?.textContent).toBe("Parsing notes");
    expect(details.textContent).toContain("missing Date header");
  });
});

describe("delivery", () => {
  it("a reply being retried says so, with the error and the next attempt, never 'Queued'", async () => {
    const next = new Date(Date.now() + 16 * 60_000).toISOString();
    await show(msg({ kind: "outbound", delivery: { status: "retrying", error: "dial tcp 127.0.0.1:25: connect: connection refused", attempts: 2, next_attempt_at: next } }));
    expect(r!.container.querySelector(".badge.delivery-retrying")?.textContent).toBe("Retrying");
    const banner = r!.container.querySelector('[role="status"]')!;
    expect(banner.textContent).toContain("connection refused");
    expect(banner.textContent).toContain("Next attempt in 16 min. (after 2 attempts).");
    expect(banner.querySelector("time")?.getAttribute("datetime")).toBe(next);
    expect(buttons()).not.toContain("Retry");
  });
  it("a next attempt within the minute is 'in a moment'", async () => {
    await show(msg({ kind: "outbound", delivery: { status: "retrying", error: "421 busy", attempts: 1, next_attempt_at: new Date(Date.now() + 1000).toISOString() } }));
    expect(r!.container.querySelector('[role="status"]')?.textContent).toContain("Next attempt in a moment (after 1 attempt).");
  });
  it("a failed reply offers Retry", async () => {
    await show(msg({ kind: "outbound", delivery: { status: "failed", error: "550 no such user", attempts: 12 } }));
    expect(r!.container.querySelector(".badge.delivery-failed")?.textContent).toBe("Failed");
    expect(r!.container.querySelector('[role="alert"]')?.textContent).toContain("550 no such user (12 attempts)");
    expect(buttons()).toContain("Retry");
  });
});
