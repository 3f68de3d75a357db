import { describe, expect, it } from "vitest";
import type { User } from "../api/generated";
import { applyMention, handles, matchAgents, mentionHandle, mentionTrigger } from "./mentions";

describe("mentionTrigger", () => {
  it.each([
    ["@an", 3, { start: 0, query: "an" }],
    ["Hi @Bo", 6, { start: 3, query: "Bo" }],
    ["line\n(@b.st", 11, { start: 6, query: "b.st" }],
    ["@ann please", 4, { start: 0, query: "ann" }],
    ["@", 1, null], // nothing typed yet
    ["ann@acme", 8, null], // an address, not a mention
    ["x.@ann", 6, null], // the parser skips "@" after "."
    ["@ann done", 9, null], // the caret left the word
    ["@ann", 2, { start: 0, query: "a" }], // only up to the caret
  ])("%j at %i", (text, caret, want) => expect(mentionTrigger(text, caret)).toEqual(want));
});

const u = (id: number, name: string, email: string, disabled = false) => ({ id, name, email, disabled }) as User;
const ann = u(1, "Ann Lee", "ann@acme.test");
const bob = u(2, "Bob Stone", "b.stone@acme.test");
const andy = u(3, "Andy", "andy+help@acme.test");
const old = u(4, "Anna Old", "anna@acme.test", true);
const me = u(5, "Al Me", "al@acme.test");
const clash = u(6, "Ann", "ann.k@acme.test"); // answers to "ann" as a name
const users = [ann, bob, andy, old, me];

describe("handles and mentionHandle", () => {
  it.each([
    [ann, ["ann", "annlee"]],
    [bob, ["b.stone", "bobstone"]],
    [andy, ["andy"]], // "+" is not in the parser's handle
    [u(7, "", "x_@acme.test"), []], // a trailing "_" is dropped by the parser
  ])("%o", (user, want) => expect(handles(user)).toEqual(want));

  it.each([
    ["the local part", ann, users, "ann"],
    ["the name when the local part is not a handle", andy, users, "andy"],
    ["another handle when another agent answers to the first", ann, [...users, clash], "annlee"],
    ["a disabled agent does not take a handle", ann, [...users, { ...clash, disabled: true }], "ann"],
  ])("%s", (_, user, all, want) => expect(mentionHandle(user, all)).toBe(want));
});

describe("matchAgents", () => {
  it.each([
    ["an", ["Andy", "Ann Lee"]], // not disabled Anna, not me
    ["AN", ["Andy", "Ann Lee"]],
    ["lee", ["Ann Lee"]], // a word of the name
    ["b.s", ["Bob Stone"]], // the address
    ["bobst", ["Bob Stone"]], // the name without spaces
    ["al", []], // only me
    ["zz", []],
  ])("%j", (q, want) => expect(matchAgents(users, q, me.id).map((c) => c.user.name)).toEqual(want));

  it("names starting with the query come first, at most the limit", () => {
    const many = Array.from({ length: 12 }, (_, i) => u(10 + i, `Sam ${String.fromCharCode(77 - i)}`, `s${i}@acme.test`));
    const got = matchAgents([u(30, "Zed", "sam.z@acme.test"), ...many], "sam", undefined, 8);
    expect(got).toHaveLength(8);
    expect(got.every((c) => c.user.name.startsWith("Sam"))).toBe(true);
  });
  it("carries the handle to write", () => {
    expect(matchAgents(users, "bob", me.id)).toEqual([{ user: bob, handle: "b.stone" }]);
  });
});

describe("applyMention", () => {
  it.each([
    ["@bo", 3, "b.stone", "@b.stone ", 9],
    ["Hi @an, thanks", 6, "ann", "Hi @ann, thanks", 7], // punctuation ends it already
    ["@anmore", 3, "ann", "@ann more", 5], // handle characters follow: a space parts them
    ["@an more", 3, "ann", "@ann more", 5], // a space already follows
    ["x\n@a", 4, "ann", "x\n@ann ", 7],
  ])("%j at %i with %j", (text, caret, handle, want, wantCaret) => {
    const t = mentionTrigger(text, caret)!;
    expect(applyMention(text, t, caret, handle)).toEqual({ text: want, caret: wantCaret });
  });
});
