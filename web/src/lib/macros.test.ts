import { describe, expect, it } from "vitest";
import type { Macro } from "../api/generated";
import { applyMacro, macroTrigger, matchMacros, renderMacro } from "./macros";

const ctx = { ticketId: 42, subject: "Broken printer", requesterName: "Carol Ann Customer", agentName: "Al Agent" };

describe("renderMacro", () => {
  it("fills every placeholder, spaces inside the braces allowed", () => {
    expect(renderMacro("{{ticket.id}} {{ ticket.subject }} {{requester.name}} {{requester.first_name}} {{agent.name}}", ctx)).toBe(
      "42 Broken printer Carol Ann Customer Carol Al Agent",
    );
  });
  it("says 'there' for a requester without a name, and leaves unknown placeholders", () => {
    expect(renderMacro("Hi {{requester.first_name}} {{nope}}", { ...ctx, requesterName: " " })).toBe("Hi there {{nope}}");
  });
});

describe("macroTrigger", () => {
  it.each([
    ["/ref", 4, { start: 0, query: "ref" }],
    ["Hello\n#", 7, { start: 6, query: "" }],
    ["see /re", 7, { start: 4, query: "re" }],
    ["and/or", 6, null],
    ["http://x", 8, null],
    ["/ref more", 9, null],
  ])("%j at %i", (text, caret, want) => expect(macroTrigger(text, caret)).toEqual(want));
});

describe("matchMacros and applyMacro", () => {
  const m = (name: string) => ({ id: name.length, name }) as Macro;
  it("matches any part of the name, those starting with it first", () => {
    expect(matchMacros([m("Late refund"), m("Refund"), m("Welcome")], "ref").map((x) => x.name)).toEqual(["Refund", "Late refund"]);
  });
  it("replaces the trigger with the body", () => {
    const t = macroTrigger("Hi /ref", 7)!;
    expect(applyMacro("Hi /ref", t, 7, "Refunded.")).toEqual({ text: "Hi Refunded.", caret: 12 });
  });
});
