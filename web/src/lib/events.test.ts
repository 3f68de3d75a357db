import { describe, expect, it } from "vitest";
import { describeEvent } from "./events";

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
    ["an unknown kind without a field", ev("spam.marked"), "spam marked"],
  ])("%s", (_name, e, want) => expect(describeEvent(e)).toBe(want));
});
