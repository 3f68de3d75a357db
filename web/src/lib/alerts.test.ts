import { describe, expect, it } from "vitest";
import type { Mailbox } from "../api/generated";
import { alertReason, bannerText, brokenMailboxes } from "./alerts";

const mb = (id: number, address: string, reason?: "auth" | "error" | "quiet") =>
  ({ id, address, alert: reason ? { reason, detail: "x", since: "2026-11-02T10:00:00Z", raised_at: "2026-11-02T10:10:00Z" } : null }) as unknown as Mailbox;

describe("mailbox alerts", () => {
  it.each([
    ["auth", "the provider refused its credentials: connect the account again"],
    ["error", "its connection has failed for more than 10 minutes"],
    ["quiet", "no mail has arrived for far longer than usual"],
  ] as const)("says what %s means", (reason, text) => {
    expect(alertReason({ reason })).toBe(text);
  });

  it("keeps only the mailboxes with an open alert", () => {
    expect(brokenMailboxes([mb(1, "a@x"), mb(2, "b@x", "auth"), mb(3, "c@x", "quiet")]).map((m) => m.id)).toEqual([2, 3]);
    expect(brokenMailboxes(undefined)).toEqual([]);
  });

  it("writes one sentence for the banner", () => {
    expect(bannerText([])).toBe("");
    expect(bannerText([mb(2, "b@x", "error")])).toBe("Mailbox b@x is broken: its connection has failed for more than 10 minutes.");
    expect(bannerText([mb(2, "b@x", "error"), mb(3, "c@x", "quiet")])).toBe("2 mailboxes are broken: b@x, c@x.");
  });
});
