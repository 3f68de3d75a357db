import { describe, expect, it } from "vitest";
import { affectedBy, parseStreamEvent } from "./live";

describe("parseStreamEvent", () => {
  it.each([
    ['{"type":"ticket.created","ticket_id":7}', { type: "ticket.created", ticket_id: 7 }],
    ['{"type":"message.added","ticket_id":7,"message_id":9}', { type: "message.added", ticket_id: 7, message_id: 9 }],
    ['{"type":"notification.added","ticket_id":7,"user_id":3}', { type: "notification.added", ticket_id: 7, user_id: 3 }],
    ['{"type":"ticket.deleted","ticket_id":7}', null],
    ['{"type":"ticket.updated","ticket_id":"7"}', null],
    ["not json", null],
    ["null", null],
  ])("%s", (data, want) => {
    expect(parseStreamEvent(data)).toEqual(want);
  });
});

describe("affectedBy", () => {
  const keys = {
    queue: ["/api/v1/tickets", { status: "open" }],
    queuePaged: ["infinate", "/api/v1/tickets", { assignee: "me" }],
    t7: ["/api/v1/tickets/7"],
    t7msgs: ["/api/v1/tickets/7/messages"],
    t7events: ["/api/v1/tickets/7/events"],
    t70: ["/api/v1/tickets/70"],
    t8msgs: ["/api/v1/tickets/8/messages"],
    users: ["/api/v1/users"],
    bell: ["/api/v1/notifications"],
  };
  const cases: [string, number | undefined, string[]][] = [
    ["ticket.created", undefined, ["queue", "queuePaged"]],
    ["ticket.updated", undefined, ["queue", "queuePaged", "t7", "t7events"]],
    ["ticket.updated", 1, ["queue", "queuePaged", "t7", "t7msgs", "t7events"]],
    ["message.added", 1, ["queue", "queuePaged", "t7", "t7msgs", "t7events"]],
    ["notification.added", undefined, ["bell"]],
  ];
  it.each(cases)("%s (message %s) on ticket 7", (type, messageID, want) => {
    const ev = parseStreamEvent(JSON.stringify({ type, ticket_id: 7, message_id: messageID }))!;
    const got = Object.entries(keys).filter(([, k]) => affectedBy(ev, k)).map(([n]) => n);
    expect(got).toEqual(want);
  });
});
