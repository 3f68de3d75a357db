import { describe, expect, it } from "vitest";
import { actorName, describeEvent, peopleFrom } from "./events";

const ev = (kind: string, field = "", before = "", after = "") => ({ kind, field, before, after });

describe("describeEvent", () => {
  it.each([
    ["a created ticket", ev("ticket_created"), "opened the ticket"],
    ["a reply", ev("reply_queued"), "replied"],
    ["a note", ev("note_added"), "added a note"],
    ["a retried delivery", ev("delivery_retried"), "retried a delivery"],
    ["a failed delivery with its reason", ev("delivery_failed", "", "550 no such user"), ": a delivery failed (550 no such user)"],
    ["a failed delivery without a reason", ev("delivery_failed"), ": a delivery failed"],
    ["a field set", ev("assignee_changed", "assignee", "", "bob@example.com"), "set assignee to bob@example.com"],
    ["a field cleared", ev("assignee_changed", "assignee", "bob@example.com", ""), "cleared assignee (was bob@example.com)"],
    ["a field changed", ev("status_changed", "status", "open", "pending"), "changed status: open → pending"],
    ["merged away", ev("merged_into", "ticket", "", "12"), "merged this ticket into #12"],
    ["merged in", ev("merged_from", "ticket", "", "13"), "merged #13 into this ticket"],
    ["split off", ev("split_to", "ticket", "", "14"), "split messages off into #14"],
    ["split from", ev("split_from", "ticket", "", "7"), "split this ticket off #7"],
    ["assigned by round robin", ev("auto_assigned", "assignee", "Billing", "round_robin"), "assigned the ticket by round robin (team Billing)"],
    ["assigned by load balancing", ev("auto_assigned", "assignee", "", "load_balanced"), "assigned the ticket by load balancing"],
    ["a team set", ev("team_changed", "team", "", "Billing"), "set team to Billing"],
    ["an SLA breach", ev("sla_breached", "sla", "", "first_response"), ": SLA first response breached"],
    ["an unknown kind without a field", ev("spam.marked"), "spam marked"],
  ])("%s", (_name, e, want) => expect(describeEvent(e)).toBe(want));
});

describe("names instead of addresses", () => {
  const people = peopleFrom([
    { id: 1, email: "ada@example.com", name: "Ada Admin" },
    { id: 2, email: "Bob@Example.com", name: "Bob Agent" },
    { id: 3, email: "nameless@example.com", name: " " },
  ], [{ email: "Carol@Customer.example", name: "Carol Customer" }, { email: "anon@customer.example", name: "" }]);
  it.each([
    ["by id", { actor: "old-address@example.com", actor_id: 1 }, "Ada Admin"],
    ["by address, any case", { actor: "bob@example.com", actor_id: null }, "Bob Agent"],
    ["no name: the address", { actor: "nameless@example.com", actor_id: 3 }, "nameless@example.com"],
    ["unknown: as recorded", { actor: "gone@example.com", actor_id: 9 }, "gone@example.com"],
    ["the server itself", { actor: "", actor_id: null }, "system"],
    ["the requester, by name", { actor: "carol@customer.example", actor_id: null }, "Carol Customer"],
    ["a requester without a name", { actor: "anon@customer.example", actor_id: null }, "anon@customer.example"],
  ])("actor %s", (_n, ev, want) => expect(actorName(ev, people)).toBe(want));
  it.each([
    [ev("assignee_changed", "assignee", "", "bob@example.com"), "set assignee to Bob Agent"],
    [ev("assignee_changed", "assignee", "bob@example.com", "ada@example.com"), "changed assignee: Bob Agent → Ada Admin"],
    [ev("assignee_changed", "assignee", "gone@example.com", ""), "cleared assignee (was gone@example.com)"],
    [ev("tags_changed", "tags", "", "ada@example.com"), "set tags to ada@example.com"],
  ])("%j", (e, want) => expect(describeEvent(e, people)).toBe(want));
});
