// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { click, render, serve, settle, type Rendered } from "../test/render";
import { Bell } from "./Bell";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

const page = (unread: number) => ({
  unread,
  settings: {},
  items: [
    { id: 2, kind: "mentioned", ticket_id: 9, subject: "Printer", actor: "ann@acme.test", summary: "by ann@acme.test", created_at: "2026-01-01T10:00:00Z", read: false },
    { id: 1, kind: "assigned", ticket_id: 8, subject: "Invoice", actor: "ann@acme.test", summary: "by ann@acme.test", created_at: "2026-01-01T09:00:00Z", read: true },
  ],
});

describe("Bell", () => {
  it("shows the unread count and lists notifications with links to their tickets", async () => {
    serve({ "GET /api/v1/notifications": () => page(1) });
    r = await render(<Bell />);
    await settle();
    expect(r.container.querySelector("[data-testid=bell-count]")?.textContent).toBe("1");
    await click(r.container.querySelector("button.bell-button")!);
    const links = [...r.container.querySelectorAll(".bell-list a")].map((a) => a.getAttribute("href"));
    expect(links).toEqual(["/tickets/9", "/tickets/8"]);
    expect(r.container.textContent).toContain("You were mentioned");
  });

  it("marks all read", async () => {
    let unread = 1;
    const seen = serve({
      "GET /api/v1/notifications": () => page(unread),
      "POST /api/v1/notifications/read": () => {
        unread = 0;
        return { updated: 1 };
      },
    });
    r = await render(<Bell />);
    await settle();
    await click(r.container.querySelector("button.bell-button")!);
    const markAll = [...r.container.querySelectorAll("button")].find((b) => b.textContent === "Mark all read")!;
    await click(markAll);
    await settle();
    await settle();
    expect(seen.some((s) => s.method === "POST" && s.body === "{}")).toBe(true);
    expect(r.container.querySelector("[data-testid=bell-count]")).toBeNull();
  });

  it("shows no count when all is read", async () => {
    serve({ "GET /api/v1/notifications": () => page(0) });
    r = await render(<Bell />);
    await settle();
    expect(r.container.querySelector("[data-testid=bell-count]")).toBeNull();
  });
});
