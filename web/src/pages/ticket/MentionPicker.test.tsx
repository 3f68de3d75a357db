// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ticket } from "../../api/generated";
import { click, key, render, serve, settle, type, type Rendered, type Served } from "../../test/render";
import { Composer } from "./Composer";

const ticket = { id: 7, subject: "Invoice", requester: { email: "carol@customer.example", name: "Carol" }, mailbox_id: 1, tags: [], status: "open", priority: "normal" } as unknown as Ticket;
const users = [
  { id: 1, email: "al@help.example", name: "Al Agent" },
  { id: 2, email: "bea.ray@help.example", name: "Bea Ray" },
  { id: 3, email: "ben@help.example", name: "Ben Low" },
  { id: 4, email: "bert@help.example", name: "Bert Gone", disabled: true },
];

let r: Rendered | undefined;
let seen: Served[];
beforeEach(() => {
  seen = serve({
    "GET /api/v1/mailboxes": () => ({ items: [] }),
    "GET /api/v1/macros": () => ({ items: [] }),
    "GET /api/v1/users": () => ({ items: users }),
    "GET /api/v1/me": () => ({ ...users[0], role: "agent" }),
    "POST /api/v1/tickets/7/notes": () => ({ id: 9, kind: "note", from: { email: "al@help.example", name: "Al Agent" }, to: [], cc: [] }),
  });
});
afterEach(() => {
  r?.unmount();
  localStorage.clear();
});

const textarea = () => r!.container.querySelector("textarea")!;
const options = () => [...r!.container.querySelectorAll("[role=option]")].map((o) => o.textContent);
const tab = (name: string) => [...r!.container.querySelectorAll("[role=tab]")].find((t) => t.textContent === name)!;

describe("the mention picker", () => {
  it("lists enabled agents after @ in a note, picks with the keyboard, and the note carries the handle", async () => {
    r = await render(<Composer ticket={ticket} messages={[]} />);
    await settle();
    await click(tab("Internal note"));
    await type(textarea(), "Ask @b");
    await settle();
    expect(options()).toEqual(["Bea Ray@bea.ray", "Ben Low@ben"]);
    expect(textarea().getAttribute("aria-expanded")).toBe("true");
    const list = r.container.querySelector("[role=listbox]")!;
    expect(textarea().getAttribute("aria-controls")).toBe(list.id);
    await key(textarea(), "ArrowDown");
    expect(textarea().getAttribute("aria-activedescendant")).toBe(list.querySelectorAll("[role=option]")[1].id);
    await key(textarea(), "Tab");
    await settle();
    expect(textarea().value).toBe("Ask @ben ");
    expect(options()).toEqual([]);
    await click(r.container.querySelector("button[type=submit]")!);
    await settle();
    expect(JSON.parse(seen.find((s) => s.method === "POST")!.body as string)).toEqual({ body: "Ask @ben " });
  });

  it("Escape closes the list for that word; a later @ opens it again, a click picks", async () => {
    r = await render(<Composer ticket={ticket} messages={[]} />);
    await settle();
    await click(tab("Internal note"));
    await type(textarea(), "@be");
    await settle();
    await key(textarea(), "Escape");
    expect(options()).toEqual([]);
    expect(textarea().value).toBe("@be");
    await type(textarea(), "@bea");
    await settle();
    expect(options()).toEqual([]); // still the dismissed word
    await type(textarea(), "@be and @bea");
    await settle();
    expect(options()).toEqual(["Bea Ray@bea.ray"]);
    const opt = r.container.querySelector("[role=option]")!;
    await act(opt);
    expect(textarea().value).toBe("@be and @bea.ray ");
  });

  it("is not in the reply to the customer", async () => {
    r = await render(<Composer ticket={ticket} messages={[]} />);
    await settle();
    await type(textarea(), "Hi @b");
    await settle();
    expect(options()).toEqual([]);
    expect(textarea().hasAttribute("aria-expanded")).toBe(false);
  });
});

async function act(el: Element) {
  const { act: reactAct } = await import("react");
  await reactAct(async () => {
    el.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
  });
}
