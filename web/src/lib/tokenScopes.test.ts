import { describe, expect, it } from "vitest";
import { describeScopes, scopesOf } from "./tokenScopes";

describe("scopesOf", () => {
  it.each([
    { readOnly: false, groups: [], want: [] },
    { readOnly: true, groups: [], want: ["read"] },
    { readOnly: true, groups: ["reports", "tickets"], want: ["read", "tickets", "reports"] },
    { readOnly: false, groups: ["webhooks"], want: ["webhooks"] },
  ] as const)("read-only $readOnly, groups $groups", ({ readOnly, groups, want }) => {
    expect(scopesOf(readOnly, groups)).toEqual(want);
  });
});

describe("describeScopes", () => {
  it.each([
    { scopes: undefined, want: "Full access" },
    { scopes: [], want: "Full access" },
    { scopes: ["read"], want: "Read only: everything" },
    { scopes: ["read", "tickets"], want: "Read only: tickets" },
    { scopes: ["tickets", "reports"], want: "Only tickets, reports" },
  ])("$scopes", ({ scopes, want }) => {
    expect(describeScopes(scopes)).toBe(want);
  });
});
