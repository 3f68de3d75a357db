// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Message, Ticket } from "../../api/generated";
import { click, key, render, serve, settle, type, type Rendered, type Served } from "../../test/render";
import { Composer } from "./Composer";

const ticket = { id: 7, subject: "Invoice", requester: { email: "carol@customer.example", name: "Carol" }, mailbox_id: 1, tags: [], status: "open", priority: "normal" } as unknown as Ticket;
// The mail of issue 9: To support@ and sales@ (both ours) and a customer's
// colleague, Cc Finance and the lead.
const inbound = {
  id: 1,
  kind: "inbound",
  from: { email: "carol@customer.example", name: "Carol" },
  to: [{ email: "support@help.example", name: "" }, { email: "sales@help.example", name: "Sales" }, { email: "boss@customer.example", name: "" }],
  cc: [{ email: "finance@customer.example", name: "Finance" }, { email: "lead@customer.example", name: "" }],
} as unknown as Message;

let r: Rendered | undefined;
let seen: Served[];
beforeEach(() => {
  seen = serve({
    "GET /api/v1/mailboxes": () => ({ items: [{ id: 1, address: "support@help.example" }, { id: 2, address: "sales@help.example" }] }),
    "POST /api/v1/tickets/7/replies": () => ({ ...inbound, id: 2, kind: "outbound" }),
  });
});
afterEach(() => {
  r?.unmount();
  localStorage.clear();
});

const chips = () => [...r!.container.querySelectorAll("[data-testid=cc-chips] .chip")].map((c) => c.getAttribute("title"));
const sentCc = () => (seen.find((s) => s.method === "POST")!.body as FormData).getAll("cc");
async function send(text: string) {
  await type(r!.container.querySelector("textarea")!, text);
  await click(r!.container.querySelector("button[type=submit]")!);
  await settle();
}

describe("the reply box", () => {
  it("starts with reply-all recipients: the other To and Cc, without our mailboxes or the requester", async () => {
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    expect(chips()).toEqual(["boss@customer.example", "finance@customer.example", "lead@customer.example"]);
  });

  it("sends exactly the chips shown", async () => {
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    await send("Hello all");
    expect(sentCc()).toEqual(["boss@customer.example", "finance@customer.example", "lead@customer.example"]);
  });

  it("a removed chip is not sent, a typed address is", async () => {
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    await click(r.container.querySelector('[aria-label="Remove Cc finance@customer.example"]')!);
    const input = r.container.querySelector<HTMLInputElement>("input[name=cc]")!;
    await type(input, "erin@customer.example");
    await key(input, "Enter");
    expect(chips()).toEqual(["boss@customer.example", "lead@customer.example", "erin@customer.example"]);
    await type(input, "still-typing@customer.example");
    await send("Hello");
    expect(sentCc()).toEqual(["boss@customer.example", "lead@customer.example", "erin@customer.example", "still-typing@customer.example"]);
  });

  it("with every chip removed, says no Cc", async () => {
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    for (const e of ["boss", "finance", "lead"]) await click(r.container.querySelector(`[aria-label="Remove Cc ${e}@customer.example"]`)!);
    expect(chips()).toEqual([]);
    await send("Just you");
    expect(sentCc()).toEqual([""]);
  });
});

describe("drafts", () => {
  const textarea = () => r!.container.querySelector("textarea")!;
  const tab = (name: string) => [...r!.container.querySelectorAll("[role=tab]")].find((t) => t.textContent === name)!;

  it("a reply and a note come back after a reload, each in its tab, Cc edits included", async () => {
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    await type(textarea(), "Dear Carol, half written");
    await click(r.container.querySelector('[aria-label="Remove Cc boss@customer.example"]')!);
    await click(tab("Internal note"));
    await type(textarea(), "note in progress");
    r.unmount();

    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    expect(textarea().value).toBe("Dear Carol, half written");
    expect(chips()).toEqual(["finance@customer.example", "lead@customer.example"]);
    await click(tab("Internal note"));
    expect(textarea().value).toBe("note in progress");
  });

  it("are kept per ticket", async () => {
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    await type(textarea(), "for ticket 7");
    r.unmount();
    r = await render(<Composer ticket={{ ...ticket, id: 8 }} messages={[inbound]} />);
    await settle();
    expect(textarea().value).toBe("");
  });

  it("a sent reply clears its draft and leaves the note's", async () => {
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    await click(tab("Internal note"));
    await type(textarea(), "keep me");
    await click(tab("Reply"));
    await send("Sent now");
    expect(textarea().value).toBe("");
    r.unmount();
    r = await render(<Composer ticket={ticket} messages={[inbound]} />);
    await settle();
    expect(r.container.querySelector("[role=tab][aria-selected=true]")?.textContent).toBe("Internal note");
    expect(textarea().value).toBe("keep me");
    expect(Object.keys(localStorage)).toEqual(["ticketer.draft.7.note"]);
  });
});
