import { describe, expect, it } from "vitest";
import type { Status } from "../api/generated";
import { canMove, closeSteps, statusChoices, tagProblem } from "./rules";

// internal/ticket/agent.go checkTransition, row by row.
describe("canMove", () => {
  const all: Status[] = ["new", "open", "pending", "solved", "closed"];
  const allowed: Record<Status, Status[]> = {
    new: ["new", "open", "pending", "solved"],
    open: ["open", "pending", "solved"],
    pending: ["open", "pending", "solved"],
    solved: ["open", "pending", "solved", "closed"],
    closed: ["open", "closed"],
  };
  for (const from of all) {
    for (const to of all) {
      const want = allowed[from].includes(to);
      it(`${from} → ${to}: ${want ? "allowed" : "refused"}`, () => expect(canMove(from, to)).toBe(want));
    }
  }
  it("offers the allowed ones in the usual order", () => {
    expect(statusChoices("open")).toEqual(["open", "pending", "solved"]);
    expect(statusChoices("closed")).toEqual(["open", "closed"]);
  });
});

describe("closeSteps", () => {
  it.each([
    ["new", ["solved", "closed"]],
    ["open", ["solved", "closed"]],
    ["pending", ["solved", "closed"]],
    ["solved", ["closed"]],
    ["closed", []],
  ] as [Status, Status[]][])("from %s", (from, steps) => {
    expect(closeSteps(from)).toEqual(steps);
    let at = from;
    for (const s of steps) {
      expect(canMove(at, s)).toBe(true);
      at = s;
    }
  });
});

describe("tagProblem", () => {
  it.each([
    ["billing", ""],
    ["  Billing ", ""],
    ["", ""],
    ["a".repeat(64), ""],
    ["needs review", "A tag is one word, without spaces or commas: try “needs-review”."],
    ["a,b", "A tag is one word, without spaces or commas: try “a-b”."],
    ["tab\there", "A tag is one word, without spaces or commas: try “tab-here”."],
    ["bell\u0007", "A tag cannot hold control characters."],
    ["a".repeat(65), "A tag is at most 64 characters long (fewer with accented letters)."],
    ["é".repeat(33), "A tag is at most 64 characters long (fewer with accented letters)."],
  ])("%j", (tag, want) => expect(tagProblem(tag)).toBe(want));
});
