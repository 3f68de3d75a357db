import { describe, expect, it } from "vitest";
import { ACTIONS, FIELDS, actionValueKind, emptyForm, firedRules, newAction, newCondition, opsFor, reorder, toInput, valueKind, webhookLabel, withField } from "./ruleform";

describe("opsFor", () => {
  it.each([
    ["subject", ["equals", "not_equals", "contains", "not_contains", "starts_with", "matches"]],
    ["status", ["equals", "not_equals"]],
    ["automatic", ["equals", "not_equals"]],
    ["hours_since_updated", ["equals", "not_equals", "gt", "lt"]],
  ] as const)("%s takes %j", (f, ops) => {
    expect(opsFor(f)).toEqual(ops);
  });
  it("gives every field at least equals", () => {
    for (const f of FIELDS) expect(opsFor(f)).toContain("equals");
  });
});

describe("withField", () => {
  it("keeps the operator and value within a kind", () => {
    expect(withField({ field: "subject", op: "contains", value: "x" }, "body")).toEqual({ field: "body", op: "contains", value: "x" });
  });
  it("resets what the new field does not take", () => {
    expect(withField({ field: "subject", op: "contains", value: "x" }, "status")).toEqual({ field: "status", op: "equals", value: "open" });
    expect(valueKind("hours_since_created")).toBe("number");
  });
});

describe("toInput", () => {
  it("trims names and values but not a note", () => {
    const f = { ...emptyForm(), name: " Billing ", conditions: [{ ...newCondition(), value: " invoice " }], actions: [{ type: "add_note" as const, value: " hi " }] };
    expect(toInput(f)).toEqual({ name: "Billing", enabled: true, when: "created", match: "all", conditions: [{ field: "subject", op: "equals", value: "invoice" }], actions: [{ type: "add_note", value: " hi " }] });
  });
  it("starts an action with a fitting value", () => {
    expect(newAction("set_priority").value).toBe("high");
    expect(newAction("add_tag").value).toBe("");
  });
});

describe("webhook action", () => {
  it("is offered, and its value is a webhook chosen from a list", () => {
    expect(ACTIONS).toContain("webhook");
    expect(actionValueKind("webhook")).toBe("webhook");
    expect(newAction("webhook")).toEqual({ type: "webhook", value: "" });
  });
  it("labels a webhook by its URL and says when it is disabled", () => {
    expect(webhookLabel({ id: 3, url: "https://hooks.example.com/t", enabled: true })).toBe("hooks.example.com/t");
    expect(webhookLabel({ id: 4, url: "http://ci.example.com/x", enabled: false })).toBe("ci.example.com/x (disabled: sends nothing)");
  });
});

describe("reorder", () => {
  const rules = [
    { id: 1, position: 1 },
    { id: 2, position: 2 },
    { id: 3, position: 5 },
  ];
  it("swaps with the neighbour and renumbers", () => {
    expect(reorder(rules, 2, -1)).toEqual([
      [2, 1],
      [1, 2],
      [3, 3],
    ]);
  });
  it("does nothing past the ends", () => {
    expect(reorder(rules, 1, -1)).toEqual([]);
    expect(reorder(rules, 3, 1)).toEqual([]);
  });
});

describe("firedRules", () => {
  it("lists each rule once, newest first, marking failures", () => {
    const got = firedRules([
      { kind: "rule_fired", after: "Billing", created_at: "2026-01-01T10:00:00Z" },
      { kind: "rule_failed", after: "Billing: macro 3 does not exist", created_at: "2026-01-01T10:00:00Z" },
      { kind: "status_changed", after: "open", created_at: "2026-01-01T11:00:00Z" },
      { kind: "rule_fired", after: "Urgent", created_at: "2026-01-01T12:00:00Z" },
    ]);
    expect(got).toEqual([
      { name: "Urgent", at: "2026-01-01T12:00:00Z", failed: false },
      { name: "Billing", at: "2026-01-01T10:00:00Z", failed: true },
    ]);
  });
});
