import { describe, expect, it } from "vitest";
import { ApiError } from "../api/fetcher";
import { newerMessages, newestId, othersOn, presenceLines, TYPING_IDLE_MS } from "./presence";
import { parseStreamEvent } from "./live";

const alice = { user_id: 1, name: "Alice", typing: false };
const bob = { user_id: 2, name: "Bob", typing: true };
const carol = { user_id: 3, name: "Carol", typing: false };

describe("presence", () => {
  it.each([
    { name: "alone", others: [], want: [] },
    { name: "one viewing", others: [alice], want: ["Alice is viewing"] },
    { name: "one typing", others: [bob], want: ["Bob is typing…"] },
    { name: "both", others: [alice, bob, carol], want: ["Bob is typing…", "Alice and Carol are viewing"] },
  ])("says who is here: $name", ({ others, want }) => {
    expect(presenceLines(others)).toEqual(want);
  });

  it("leaves the reader out, and a viewer listed twice counts once", () => {
    expect(othersOn([alice, bob, alice], 2)).toEqual([alice]);
    expect(othersOn(undefined, 1)).toEqual([]);
  });

  it("stops typing after 5 s without a key", () => {
    expect(TYPING_IDLE_MS).toBe(5000);
  });

  it("reads presence.changed from the stream, and refuses a malformed one", () => {
    expect(parseStreamEvent(JSON.stringify({ type: "presence.changed", ticket_id: 4, presence: { viewers: [bob] } }))).toEqual({
      type: "presence.changed",
      ticket_id: 4,
      viewers: [bob],
    });
    expect(parseStreamEvent(JSON.stringify({ type: "presence.changed", ticket_id: 4 }))).toBeNull();
    expect(parseStreamEvent(JSON.stringify({ type: "presence.changed", ticket_id: 4, presence: { viewers: [{ name: 3 }] } }))).toBeNull();
  });

  it("finds the newest message and the messages of a 409 newer_messages", () => {
    expect(newestId([{ id: 3 }, { id: 9 }, { id: 5 }])).toBe(9);
    expect(newestId([])).toBeUndefined();
    const m = { id: 10, kind: "inbound" };
    expect(newerMessages(new ApiError(409, "newer_messages", "x", undefined, { messages: [m] }))).toEqual([m]);
    expect(newerMessages(new ApiError(409, "conflict", "x"))).toBeNull();
    expect(newerMessages(new Error("x"))).toBeNull();
  });
});
