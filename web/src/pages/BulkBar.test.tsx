// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { act } from "react";
import { render, serve, settle, type Rendered, type Served } from "../test/render";
import { BulkBar, bulkMessage, spamMessage } from "./BulkBar";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

describe("bulkMessage", () => {
  it.each([
    [1, 0, "1 ticket changed"],
    [50, 0, "50 tickets changed"],
    [3, 2, "3 tickets changed, 2 left as they were"],
  ])("%i changed, %i skipped", (u, s, want) => expect(bulkMessage(u, s)).toBe(want));
});

describe("the bulk bar", () => {
  it("sends one change for every selected ticket and reports it", async () => {
    let seen: Served[] = [];
    seen = serve({
      "GET /api/v1/users": () => ({ items: [{ id: 5, email: "bo@x.test", name: "Bo", role: "agent" }] }),
      "POST /api/v1/tickets/bulk": () => ({ updated: 2, skipped: [{ id: 9, reason: "no such ticket" }] }),
    });
    let done = "";
    r = await render(<BulkBar ids={[1, 2, 9]} onDone={(m) => (done = m)} onClear={() => undefined} />);
    await settle();
    const assignee = r.container.querySelector<HTMLSelectElement>("select[aria-label='Set assignee']")!;
    await act(async () => {
      assignee.value = "5";
      assignee.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await settle();
    const post = seen.find((s) => s.method === "POST")!;
    expect(JSON.parse(String(post.body))).toEqual({ ids: [1, 2, 9], assignee_id: 5 });
    expect(done).toBe("2 tickets changed, 1 left as they were");
  });

  it("moves the selected tickets to a team, or out of any", async () => {
    const seen = serve({
      "GET /api/v1/users": () => ({ items: [] }),
      "GET /api/v1/teams": () => ({ items: [{ id: 4, name: "Billing", assignment: "round_robin", max_open_per_agent: 0, members: [] }] }),
      "POST /api/v1/tickets/bulk": () => ({ updated: 2, skipped: [] }),
    });
    let done = "";
    r = await render(<BulkBar ids={[1, 2]} onDone={(m) => (done = m)} onClear={() => undefined} />);
    await settle();
    const team = r.container.querySelector<HTMLSelectElement>("select[aria-label='Set team']")!;
    expect([...team.options].map((o) => o.textContent)).toEqual(["Team…", "No team", "Billing"]);
    for (const value of ["4", "none"]) {
      await act(async () => {
        team.value = value;
        team.dispatchEvent(new Event("change", { bubbles: true }));
      });
      await settle();
    }
    const posts = seen.filter((s) => s.method === "POST").map((s) => JSON.parse(String(s.body)));
    expect(posts).toEqual([
      { ids: [1, 2], team_id: 4 },
      { ids: [1, 2], team_id: null },
    ]);
    expect(done).toBe("2 tickets changed");
  });
});

describe("mark spam", () => {
  it.each([
    [3, 0, "3 tickets marked as spam"],
    [1, 2, "1 ticket marked as spam, 2 could not be"],
  ])("%i marked, %i failed", (m, f, want) => expect(spamMessage(m, f)).toBe(want));

  it("marks every selected ticket as spam, one call each, and reports the ones refused", async () => {
    const seen = serve({
      "GET /api/v1/users": () => ({ items: [] }),
      "POST /api/v1/tickets/1/spam": () => ({ id: 1 }),
      "POST /api/v1/tickets/2/spam": () => ({ id: 2 }),
      "POST /api/v1/tickets/9/spam": () => new Response(JSON.stringify({ error: { code: "not_found", message: "no ticket 9", field: "" } }), { status: 404 }),
    });
    let done = "";
    r = await render(<BulkBar ids={[1, 2, 9]} onDone={(m) => (done = m)} onClear={() => undefined} />);
    await settle();
    const button = [...r.container.querySelectorAll("button")].find((b) => b.textContent === "Mark spam")!;
    await act(async () => button.click());
    await settle();
    expect(seen.filter((s) => s.method === "POST").map((s) => s.url)).toEqual(["/api/v1/tickets/1/spam", "/api/v1/tickets/2/spam", "/api/v1/tickets/9/spam"]);
    expect(done).toBe("2 tickets marked as spam, 1 could not be");
  });
});
