import { describe, expect, it } from "vitest";
import { viewFor } from "./views";

describe("viewFor", () => {
  it.each([
    ["mine", undefined, { assignee: "me", status: "new,open,pending" }],
    ["unassigned", undefined, { assignee: "none", status: "new,open,pending" }],
    ["open", undefined, { status: "new,open,pending" }],
    ["status", "solved", { status: "solved" }],
    ["mailbox", "3", { mailbox: 3, status: "new,open,pending" }],
  ])("%s %s", (kind, arg, params) => expect(viewFor(kind, arg)?.params).toEqual(params));
  it.each([["status", "bogus"], ["mailbox", "x"], ["mailbox", "-1"], ["nope", undefined]])("rejects %s %s", (k, a) =>
    expect(viewFor(k, a)).toBeNull());
});
