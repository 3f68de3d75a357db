// The rule form builder's logic: which operators a field takes and what its
// value is (the source is internal/rules: kindOf and OpsFor), the labels,
// and the form's state as the API's RuleInput.
import {
  RuleActionType,
  RuleConditionField,
  RuleConditionOp,
  RuleMatch,
  RuleWhen,
  type Rule,
  type RuleAction,
  type RuleCondition,
  type RuleInput,
} from "../api/generated";

export const FIELDS = Object.values(RuleConditionField);
export const ACTIONS = Object.values(RuleActionType);
export const WHENS = Object.values(RuleWhen);

export type ValueKind = "text" | "status" | "priority" | "number" | "bool";

/** valueKind is what a condition's value is, by field. */
export function valueKind(f: RuleConditionField): ValueKind {
  switch (f) {
    case "status":
      return "status";
    case "priority":
      return "priority";
    case "hours_since_created":
    case "hours_since_updated":
    case "hours_since_customer_message":
      return "number";
    case "automatic":
      return "bool";
  }
  return "text";
}

/** opsFor lists the operators a field takes, as the server checks them. */
export function opsFor(f: RuleConditionField): RuleConditionOp[] {
  switch (valueKind(f)) {
    case "status":
    case "priority":
    case "bool":
      return ["equals", "not_equals"];
    case "number":
      return ["equals", "not_equals", "gt", "lt"];
  }
  return ["equals", "not_equals", "contains", "not_contains", "starts_with", "matches"];
}

/** actionValueKind is what an action's value is. */
export function actionValueKind(t: RuleActionType): "user" | "team" | "macro" | "webhook" | "priority" | "status" | "text" | "note" {
  switch (t) {
    case "webhook":
      return "webhook";
    case "set_team":
      return "team";
    case "assign_agent":
    case "notify":
      return "user";
    case "reply_macro":
      return "macro";
    case "set_priority":
      return "priority";
    case "set_status":
      return "status";
    case "add_note":
      return "note";
  }
  return "text";
}

export const fieldLabel: Record<RuleConditionField, string> = {
  from: "Sender",
  from_domain: "Sender's domain",
  to: "Sent to address",
  mailbox: "Mailbox",
  subject: "Subject",
  body: "Message text",
  tag: "Tag",
  status: "Status",
  priority: "Priority",
  assignee: "Assignee's email",
  team: "Team",
  organisation: "Requester's organisation",
  hours_since_created: "Hours since created",
  hours_since_updated: "Hours since updated",
  hours_since_customer_message: "Hours since the customer wrote",
  automatic: "Automatic mail",
};

export const opLabel: Record<RuleConditionOp, string> = {
  equals: "is",
  not_equals: "is not",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  matches: "matches pattern",
  gt: "more than",
  lt: "less than",
};

export const actionLabel: Record<RuleActionType, string> = {
  assign_agent: "Assign to",
  set_team: "Set team",
  set_priority: "Set priority",
  set_status: "Set status",
  add_tag: "Add tag",
  remove_tag: "Remove tag",
  reply_macro: "Reply with macro",
  add_note: "Add a note",
  notify: "Notify",
  webhook: "Send to webhook",
};

/** webhookLabel names a webhook in the action's select: its URL without the scheme, and whether it is paused. */
export function webhookLabel(w: { id: number; url: string; enabled: boolean }): string {
  const url = w.url.replace(/^https?:\/\//, "");
  return `${url}${w.enabled ? "" : " (disabled: sends nothing)"}`;
}

export const whenLabel: Record<RuleWhen, string> = {
  created: "A ticket is created",
  customer_replied: "The customer replies",
  updated: "A ticket is updated",
  time: "Time passes (every 5 minutes)",
};

export interface RuleForm {
  name: string;
  enabled: boolean;
  when: RuleWhen;
  match: RuleMatch;
  conditions: RuleCondition[];
  actions: RuleAction[];
}

export const emptyForm = (): RuleForm => ({ name: "", enabled: true, when: "created", match: "all", conditions: [], actions: [newAction("set_priority")] });

export function formOf(r: Rule): RuleForm {
  return { name: r.name, enabled: r.enabled, when: r.when, match: r.match, conditions: r.conditions.map((c) => ({ ...c })), actions: r.actions.map((a) => ({ ...a })) };
}

/** defaultValue is a fitting first value for a field (the first choice of a select). */
function defaultValue(f: RuleConditionField): string {
  switch (valueKind(f)) {
    case "status":
      return "open";
    case "priority":
      return "high";
    case "bool":
      return "true";
    case "number":
      return "24";
  }
  return "";
}

export const newCondition = (f: RuleConditionField = "subject"): RuleCondition => ({ field: f, op: opsFor(f)[0], value: defaultValue(f) });

export function newAction(t: RuleActionType): RuleAction {
  const v = actionValueKind(t);
  return { type: t, value: v === "priority" ? "high" : v === "status" ? "solved" : "" };
}

/** withField changes a condition's field, keeping the operator when the new field takes it. */
export function withField(c: RuleCondition, f: RuleConditionField): RuleCondition {
  const ops = opsFor(f);
  const sameKind = valueKind(f) === valueKind(c.field);
  return { field: f, op: ops.includes(c.op) ? c.op : ops[0], value: sameKind ? c.value : defaultValue(f) };
}

/** toInput is the form as the API takes it (names and values trimmed). */
export function toInput(f: RuleForm): RuleInput {
  return {
    name: f.name.trim(),
    enabled: f.enabled,
    when: f.when,
    match: f.match,
    conditions: f.conditions.map((c) => ({ ...c, value: c.value.trim() })),
    actions: f.actions.map((a) => ({ ...a, value: a.type === "add_note" ? a.value : a.value.trim() })),
  };
}

/** reorder returns the rules' new positions after moving one up or down: [id, position] pairs for those that change. */
export function reorder(rules: Pick<Rule, "id" | "position">[], id: number, by: -1 | 1): [number, number][] {
  const list = [...rules];
  const i = list.findIndex((r) => r.id === id);
  const j = i + by;
  if (i < 0 || j < 0 || j >= list.length) return [];
  [list[i], list[j]] = [list[j], list[i]];
  const out: [number, number][] = [];
  list.forEach((r, k) => {
    if (r.position !== k + 1) out.push([r.id, k + 1]);
  });
  return out;
}

/** firedRules lists the rules that fired on a ticket, from its events, newest first, each once. */
export function firedRules(events: { kind: string; after: string; created_at: string }[]): { name: string; at: string; failed: boolean }[] {
  const out = new Map<string, { name: string; at: string; failed: boolean }>();
  for (const ev of events) {
    if (ev.kind === "rule_fired") out.set(ev.after, { name: ev.after, at: ev.created_at, failed: out.get(ev.after)?.failed ?? false });
    if (ev.kind === "rule_failed") {
      const name = ev.after.split(": ")[0];
      const was = out.get(name);
      out.set(name, { name, at: was?.at ?? ev.created_at, failed: true });
    }
  }
  return [...out.values()].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}
