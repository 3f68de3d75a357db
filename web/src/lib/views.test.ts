import { describe, expect, it } from "vitest";
import { PRIORITIES, STATUSES, statusViews, viewFor } from "./views";

describe("viewFor", () => {
  it.each([
    ["mine", undefined, { assignee: "me", status: "new,open,pending" }],
    ["unassigned", undefined, { assignee: "none", status: "new,open,pending" }],
    ["open", undefined, { status: "new,open,pending" }],
    ["status", "solved", { status: "solved" }],
    ["mailbox", "3", { mailbox: 3, status: "new,open,pending" }],
    ["spam", undefined, { spam: true }],
  ])("%s %s", (kind, arg, params) => expect(viewFor(kind, arg)?.params).toEqual(params));
  it.each([["status", "bogus"], ["mailbox", "x"], ["mailbox", "-1"], ["nope", undefined]])("rejects %s %s", (k, a) =>
    expect(viewFor(k, a)).toBeNull());
});

describe("lists from the spec", () => {
  it("has the statuses and priorities in the spec's order", () => {
    expect(STATUSES).toEqual(["new", "open", "pending", "solved", "closed"]);
    expect(PRIORITIES).toEqual(["low", "normal", "high", "urgent"]);
  });
  it("offers one view per status except open", () =>
    expect(statusViews).toEqual([
      { to: "/queue/status/new", label: "New" },
      { to: "/queue/status/pending", label: "Pending" },
      { to: "/queue/status/solved", label: "Solved" },
      { to: "/queue/status/closed", label: "Closed" },
    ]));
});
