// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Ticket } from "../../api/generated";
import { click, render, serve, settle, type, type Rendered } from "../../test/render";
import { MergeForm, TicketLinks } from "./TicketLinks";

const base = { id: 7, subject: "Invoice", requester: { email: "c@x.test", name: "C" }, mailbox_id: 1, tags: [], status: "open", priority: "normal", assignee: null, created_at: "2026-01-01T10:00:00Z", merged_into: null, split_from: null } as unknown as Ticket;

let r: Rendered | undefined;
afterEach(() => r?.unmount());

describe("TicketLinks", () => {
  it("points a merged ticket at its target", async () => {
    r = await render(<TicketLinks ticket={{ ...base, merged_into: 12 }} />);
    const banner = r.container.querySelector("[data-testid=merged-banner]")!;
    expect(banner.querySelector("a")?.getAttribute("href")).toBe("/tickets/12");
  });

  it("links a split both ways", async () => {
    r = await render(<TicketLinks ticket={{ ...base, split_from: 3, splits: [9, 10] }} />);
    const hrefs = [...r.container.querySelectorAll("[data-testid=split-banner] a")].map((a) => a.getAttribute("href"));
    expect(hrefs).toEqual(["/tickets/3", "/tickets/9", "/tickets/10"]);
  });

  it("shows nothing for a plain ticket", async () => {
    r = await render(<TicketLinks ticket={base} />);
    expect(r.container.textContent).toBe("");
  });
});

describe("MergeForm", () => {
  it("merges into the number typed (a leading # is fine) and opens the target", async () => {
    const seen = serve({ "POST /api/v1/tickets/7/merge": () => ({ ...base, id: 12 }) });
    r = await render(<MergeForm ticket={base} />, { path: "/tickets/7" });
    await click([...r.container.querySelectorAll("button")].find((b) => b.textContent === "Merge into…")!);
    await type(r.container.querySelector("input")!, "#12");
    await click([...r.container.querySelectorAll("button")].find((b) => b.textContent === "Merge")!);
    await settle();
    expect(seen.find((s) => s.method === "POST")?.body).toBe('{"into":12}');
    expect(r.location()).toBe("/tickets/12");
  });

  it("is not offered on a merged ticket", async () => {
    r = await render(<MergeForm ticket={{ ...base, merged_into: 12 }} />);
    expect(r.container.textContent).toBe("");
  });
});
