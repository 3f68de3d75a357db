// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ticket } from "../../api/generated";
import { click, key, render, serve, settle, type, type Rendered, type Served } from "../../test/render";
import { Composer } from "./Composer";

const ticket = { id: 7, subject: "Invoice", requester: { email: "carol@customer.example", name: "Carol Ann" }, mailbox_id: 1, tags: [], status: "open", priority: "normal" } as unknown as Ticket;
const macros = [
  { id: 3, name: "Refund issued", body: "Hi {{requester.first_name}}, #{{ticket.id}} refunded. {{agent.name}}", shared: true, actions: { status: "pending", tags_add: ["refund"] } },
  { id: 4, name: "Welcome", body: "Welcome!", shared: false, actions: {} },
];

let r: Rendered | undefined;
let seen: Served[];
beforeEach(() => {
  seen = serve({
    "GET /api/v1/mailboxes": () => ({ items: [{ id: 1, address: "support@help.example" }] }),
    "GET /api/v1/macros": () => ({ items: macros }),
    "GET /api/v1/me": () => ({ id: 1, email: "al@help.example", name: "Al Agent", role: "agent" }),
    "POST /api/v1/tickets/7/replies": () => ({ id: 2, kind: "outbound", from: { email: "support@help.example", name: "" }, to: [], cc: [] }),
  });
});
afterEach(() => {
  r?.unmount();
  localStorage.clear();
});

const textarea = () => r!.container.querySelector("textarea")!;
const options = () => [...r!.container.querySelectorAll("[role=option]")].map((o) => o.textContent);

describe("the macro picker", () => {
  it("lists macros by name after / and fills the rendered body; the reply names the macro", async () => {
    r = await render(<Composer ticket={ticket} messages={[]} />);
    await settle();
    await type(textarea(), "/ref");
    await settle();
    expect(options()).toEqual(["Refund issuedshared"]);
    await key(textarea(), "Enter");
    await settle();
    expect(textarea().value).toBe("Hi Carol, #7 refunded. Al Agent");
    expect(r.container.querySelector("[data-testid=macro-applied]")?.textContent).toContain("status pending, +refund");
    await click(r.container.querySelector("button[type=submit]")!);
    await settle();
    const body = seen.find((s) => s.method === "POST")!.body as FormData;
    expect(body.get("macro_id")).toBe("3");
    expect(body.get("body")).toBe("Hi Carol, #7 refunded. Al Agent");
  });

  it("# works too; Escape closes the list and the text stays as typed", async () => {
    r = await render(<Composer ticket={ticket} messages={[]} />);
    await settle();
    await type(textarea(), "Thanks #");
    await settle();
    expect(options()).toEqual(["Refund issuedshared", "Welcome"]);
    await key(textarea(), "Escape");
    await settle();
    expect(options()).toEqual([]);
    expect(textarea().value).toBe("Thanks #");
  });

  it("notes have no macro picker", async () => {
    r = await render(<Composer ticket={ticket} messages={[]} />);
    await settle();
    await click([...r.container.querySelectorAll("[role=tab]")].find((t) => t.textContent === "Internal note")!);
    await type(textarea(), "/ref");
    await settle();
    expect(options()).toEqual([]);
  });
});
