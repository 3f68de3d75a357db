import { describe, expect, it } from "vitest";
import { countKey, formatCount, landingPath, savedViewParams, viewFiltersOf } from "./viewcounts";

describe("countKey", () => {
  it.each([
    ["/queue/mine", "mine"],
    ["/queue/unassigned", "unassigned"],
    ["/queue/open", "open"],
    ["/queue/status/pending", "status:pending"],
    ["/queue/mailbox/3", "mailbox:3"],
    ["/queue/view/12", "view:12"],
    ["/queue/status", null],
    ["/queue/mine/2", null],
    ["/admin/users", null],
  ])("%s -> %s", (to, key) => expect(countKey(to)).toBe(key));
});

describe("formatCount", () => {
  it.each([
    [undefined, ""],
    [0, "0"],
    [999, "999"],
    [1000, "1k"],
    [1234, "1.2k"],
    [9999, "10k"],
    [10000, "10k+"],
    [25000, "10k+"],
  ])("%s -> %s", (n, want) => expect(formatCount(n, 10000)).toBe(want));
});

describe("landingPath", () => {
  it("lands on Mine only when the agent holds tickets", () => {
    expect(landingPath({ mine: 2, unassigned: 5 })).toBe("/queue/mine");
    expect(landingPath({ mine: 0, unassigned: 5 })).toBe("/queue/unassigned");
    expect(landingPath(undefined)).toBe("/queue/unassigned");
  });
});

describe("saved view filters", () => {
  it("round-trips the list parameters, dropping empty ones", () => {
    const p = { status: "open,pending", assignee: "me", mailbox: 2, tag: "vip", requester: "a@b.test", q: "printer" };
    expect(savedViewParams(viewFiltersOf(p))).toEqual(p);
    expect(viewFiltersOf({ status: "", limit: 50 })).toEqual({});
  });
});
