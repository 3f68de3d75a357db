// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { click, render, serve, settle, type Rendered, type Served } from "../test/render";
import { QueuePage, countLabel } from "./Queue";

const ticket = (id: number, tags: string[] = [], undelivered = 0) => ({
  id,
  subject: `Ticket ${id}`,
  status: "open",
  priority: "normal",
  assignee: null,
  requester: { email: "carol@customer.example", name: "Carol" },
  mailbox_id: 1,
  tags,
  message_count: 1,
  undelivered_count: undelivered,
  created_at: "2026-01-01T10:00:00Z",
  updated_at: "2026-01-01T10:00:00Z",
});

let r: Rendered | undefined;
let seen: Served[];
afterEach(() => r?.unmount());

async function open(path: string, items = [ticket(1, ["billing"]), ticket(2, [], 1)]) {
  seen = serve({ "GET /api/v1/tickets": () => ({ items, next_cursor: null }), "GET /api/v1/mailboxes": () => ({ items: [] }), "GET /api/v1/teams": () => ({ items: [] }) });
  r = await render(<QueuePage />, { path, route: "/queue/:view/:arg?" });
  await settle();
}
const asked = () => seen.filter((s) => s.url.split("?")[0] === "/api/v1/tickets").map((s) => Object.fromEntries(new URL(s.url, "http://x").searchParams));

describe("the queue", () => {
  it("honours ?requester= in the URL, and shows it as a removable filter", async () => {
    await open("/queue/open?requester=carol%40customer.example");
    expect(asked().at(-1)).toEqual({ status: "new,open,pending", requester: "carol@customer.example", limit: "50" });
    const remove = r!.container.querySelector('[aria-label="Remove the filter requester carol@customer.example"]')!;
    await click(remove);
    await settle();
    expect(r!.location()).toBe("/queue/open");
    expect(asked().at(-1)).toEqual({ status: "new,open,pending", limit: "50" });
  });

  it("a tag in a row filters the view by it", async () => {
    await open("/queue/open?q=printer");
    const tag = [...r!.container.querySelectorAll("a.tag")].find((a) => a.textContent === "billing")!;
    await click(tag);
    await settle();
    expect(r!.location()).toBe("/queue/open?q=printer&tag=billing");
    expect(asked().at(-1)).toEqual({ status: "new,open,pending", q: "printer", tag: "billing", limit: "50" });
  });

  it("marks a ticket whose reply was not delivered, and only that one", async () => {
    await open("/queue/open");
    const marks = [...r!.container.querySelectorAll("tr")].map((tr) => tr.querySelector(".undelivered")?.getAttribute("title") ?? "");
    expect(marks).toEqual(["", "", "1 reply has not reached the customer"]);
  });

  it("sorts by a column on click, and reverses on a second click", async () => {
    await open("/queue/open");
    const header = (name: string) => [...r!.container.querySelectorAll("th")].find((h) => h.textContent?.startsWith(name))!;
    expect(header("Last activity").getAttribute("aria-sort")).toBe("descending");
    await click(header("Priority").querySelector("button")!);
    await settle();
    expect(r!.location()).toBe("/queue/open?sort=-priority");
    expect(asked().at(-1)).toEqual({ status: "new,open,pending", sort: "-priority", limit: "50" });
    expect(header("Priority").getAttribute("aria-sort")).toBe("descending");
    expect(header("Last activity").getAttribute("aria-sort")).toBe("none");
    await click(header("Priority").querySelector("button")!);
    await settle();
    expect(asked().at(-1)).toEqual({ status: "new,open,pending", sort: "priority", limit: "50" });
    await click(header("Subject").querySelector("button")!);
    await settle();
    expect(asked().at(-1)).toEqual({ status: "new,open,pending", sort: "subject", limit: "50" });
  });

  it("counts one ticket as one ticket", async () => {
    await open("/queue/open", [ticket(1)]);
    expect(r!.container.querySelector("[aria-live=polite]")?.textContent).toBe("1 ticket");
  });
});

it.each([
  [0, false, "0 tickets"],
  [1, false, "1 ticket"],
  [1, true, "1+ tickets"],
  [2, false, "2 tickets"],
  [50, true, "50+ tickets"],
])("countLabel(%i, %s)", (n, more, want) => expect(countLabel(n, more)).toBe(want));
