// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Ticket } from "../../api/generated";
import { click, render, serve, settle, type, type Rendered, type Served } from "../../test/render";
import { SidePanel } from "./SidePanel";

const base = { id: 7, subject: "Invoice", requester: { email: "carol@customer.example", name: "Carol" }, mailbox_id: 1, tags: ["billing"], status: "open", priority: "normal", assignee: null, created_at: "2026-01-01T10:00:00Z" } as unknown as Ticket;

const users = [
  { id: 1, email: "ada@example.com", name: "Ada Admin", role: "admin", disabled: false },
  { id: 2, email: "bob@example.com", name: "Bob Agent", role: "agent", disabled: false },
  { id: 3, email: "old@example.com", name: "Old Agent", role: "agent", disabled: true },
];
let r: Rendered | undefined;
afterEach(() => r?.unmount());

/** A server that refuses the first PATCH when told to, and applies the rest. */
function server(ticket: Ticket, { refuseFirst = false } = {}) {
  let current = ticket;
  let refused = !refuseFirst;
  const seen = serve({
    "GET /api/v1/users": () => ({ items: users }),
    "GET /api/v1/tickets/7/events": () => ({ items: [] }),
    "GET /api/v1/tickets/7": () => current,
    "PATCH /api/v1/tickets/7": (req) => {
      if (!refused) {
        refused = true;
        return new Response(JSON.stringify({ error: { code: "invalid", message: "the database is busy", field: "" } }), { status: 422 });
      }
      current = { ...current, ...JSON.parse(String(req.body)) };
      return current;
    },
  });
  return seen;
}
const patches = (seen: Served[]) => seen.filter((s) => s.method === "PATCH").map((s) => JSON.parse(String(s.body)));

async function show(t: Ticket, me: unknown = undefined) {
  r = await render(<SidePanel ticket={t} />, { outlet: me });
  r.qc.setQueryData(["/api/v1/tickets/7"], t);
  await settle();
  return r;
}
const options = () => [...r!.container.querySelectorAll<HTMLOptionElement>("select[name=status] option")].map((o) => o.value);
const button = (name: string) => [...r!.container.querySelectorAll("button")].find((b) => b.textContent === name);

describe("the status menu", () => {
  it.each([
    ["new", ["new", "open", "pending", "solved"]],
    ["open", ["open", "pending", "solved"]],
    ["solved", ["open", "pending", "solved", "closed"]],
    ["closed", ["open", "closed"]],
  ])("on a %s ticket offers only what the server allows", async (status, want) => {
    server({ ...base, status } as Ticket);
    await show({ ...base, status } as Ticket);
    expect(options()).toEqual(want);
  });

  it("closes an open ticket in one click: solved, then closed", async () => {
    const seen = server(base);
    await show(base);
    await click(button("Close")!);
    await settle();
    expect(patches(seen)).toEqual([{ status: "solved" }, { status: "closed" }]);
  });

  it("offers Reopen on a closed ticket", async () => {
    const seen = server({ ...base, status: "closed" } as Ticket);
    await show({ ...base, status: "closed" } as Ticket);
    expect(button("Close")).toBeUndefined();
    await click(button("Reopen")!);
    await settle();
    expect(patches(seen)).toEqual([{ status: "open" }]);
  });
});

describe("tags", () => {
  const input = () => r!.container.querySelector<HTMLInputElement>('input[aria-label="Add a tag"]')!;
  const submit = async () => {
    await click(r!.container.querySelector<HTMLFormElement>("form")!.appendChild(Object.assign(document.createElement("button"), { type: "submit" })));
    await settle();
  };

  it("explains the rule before sending a tag with a space, sends nothing and keeps the text", async () => {
    const seen = server(base);
    await show(base);
    await type(input(), "needs review");
    expect(r!.container.querySelector("#tag-rule")?.textContent).toMatch(/one word, without spaces.*needs-review/);
    await submit();
    expect(patches(seen)).toEqual([]);
    expect(input().value).toBe("needs review");
  });

  it("keeps the typed text when the server refuses, and the banner goes with the next success", async () => {
    const seen = server(base, { refuseFirst: true });
    await show(base);
    await type(input(), "urgent-ish");
    await submit();
    expect(r!.container.querySelector("[role=alert]")?.textContent).toBe("the database is busy");
    expect(input().value).toBe("urgent-ish");
    await submit();
    expect(patches(seen)).toEqual([{ tags: ["billing", "urgent-ish"] }, { tags: ["billing", "urgent-ish"] }]);
    expect(r!.container.querySelector("[role=alert]")).toBeNull();
    expect(input().value).toBe("");
  });
});

describe("the assignee list", () => {
  it("names me once, first, next to the others who can take tickets", async () => {
    server(base);
    await show(base, users[1]);
    const labels = [...r!.container.querySelectorAll("select[name=assignee] option")].map((o) => o.textContent);
    expect(labels).toEqual(["Unassigned", "Bob Agent (me)", "Ada Admin"]);
    expect(button("Take it")).toBeDefined();
  });
});
