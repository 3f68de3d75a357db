import { describe, expect, it } from "vitest";
import { gmailOutcome, gmailStartUrl, isDate, mailOAuthOutcome, mailOAuthStartUrl, microsoftOutcome, signsInWithOAuth, microsoftStartUrl, progressPercent, progressText, reconnectReason, showProgress, syncLabel, syncRefetchMs, syncTone } from "./sync";

describe("progressPercent", () => {
  it.each([
    [0, 100, 0],
    [1, 3, 33],
    [999, 1000, 99],
    [1000, 1000, 100],
    [1200, 1000, 100],
    [-5, 10, 0],
  ])("%d of %d is %d%%", (done, total, want) => {
    expect(progressPercent(done, total)).toBe(want);
  });
  it("is null when the total is unknown", () => {
    expect(progressPercent(5, 0)).toBeNull();
    expect(progressPercent(5, Number.NaN)).toBeNull();
  });
});

describe("progressText", () => {
  it("formats known and unknown totals", () => {
    expect(progressText(1234, 5000)).toBe("1,234 of 5,000 messages (24%)");
    expect(progressText(12, 0)).toBe("12 messages");
  });
});

describe("showProgress", () => {
  it("only while syncing with a known total", () => {
    expect(showProgress({ status: "syncing", total: 10 })).toBe(true);
    expect(showProgress({ status: "syncing", total: 0 })).toBe(false);
    expect(showProgress({ status: "ok", total: 10 })).toBe(false);
    expect(showProgress({ status: "error", total: 10 })).toBe(false);
  });
});

describe("syncTone and syncLabel", () => {
  it.each([
    [{ status: "ok", enabled: true }, "ok", "ok"],
    [{ status: "syncing", enabled: true }, "syncing", "syncing"],
    [{ status: "error", enabled: true }, "error", "error"],
    [{ status: "error", enabled: false }, "off", "error (disabled)"],
    [{ status: "weird", enabled: true }, "off", "weird"],
    [{ status: "", enabled: true }, "off", "unknown"],
  ])("%o", (s, tone, label) => {
    expect(syncTone(s)).toBe(tone);
    expect(syncLabel(s)).toBe(label);
  });
});

describe("syncRefetchMs", () => {
  it("polls every 5 s while syncing, every minute otherwise", () => {
    expect(syncRefetchMs({ status: "syncing" })).toBe(5000);
    expect(syncRefetchMs({ status: "ok" })).toBe(60000);
    expect(syncRefetchMs({ status: "error" })).toBe(60000);
    expect(syncRefetchMs(undefined)).toBe(60000);
  });
});

describe("isDate", () => {
  it.each([
    ["2026-01-31", true],
    ["2024-02-29", true],
    ["2026-02-29", false],
    ["2026-13-01", false],
    ["2026-1-01", false],
    ["", false],
    ["yesterday", false],
  ])("%s -> %s", (s, want) => {
    expect(isDate(s)).toBe(want);
  });
});

describe("gmailStartUrl", () => {
  it("without since", () => {
    expect(gmailStartUrl(7)).toBe("/api/v1/mailboxes/gmail/oauth/start?mailbox_id=7");
    expect(gmailStartUrl(7, "  ")).toBe("/api/v1/mailboxes/gmail/oauth/start?mailbox_id=7");
  });
  it("with since", () => {
    expect(gmailStartUrl(12, "2026-03-01")).toBe("/api/v1/mailboxes/gmail/oauth/start?mailbox_id=12&since=2026-03-01");
  });
  it("rejects a bad date rather than sending it", () => {
    expect(() => gmailStartUrl(1, "2026-02-30")).toThrow(/YYYY-MM-DD/);
    expect(() => gmailStartUrl(1, "x&mailbox_id=2")).toThrow();
  });
});

describe("gmailOutcome", () => {
  it("reads what the connect flow reports", () => {
    expect(gmailOutcome("?gmail=connected&mailbox=3")).toEqual({ ok: true, message: "Gmail connected; the sync starts in the background.", mailboxId: 3 });
    expect(gmailOutcome("?gmail=error&reason=access_denied")).toEqual({ ok: false, message: "Gmail was not connected: access_denied", mailboxId: undefined });
    expect(gmailOutcome("?gmail=error")?.message).toBe("Gmail was not connected: unknown error");
    expect(gmailOutcome("")).toBeNull();
    expect(gmailOutcome("?gmail=<script>&mailbox=x")).toBeNull();
  });
});

describe("reconnectReason", () => {
  it("gives the reason when the provider refused the credentials", () => {
    const gmail =
      "gmail authorization failed: Google refused the refresh token (invalid_grant: Token has been expired or revoked.): reconnect this mailbox";
    expect(reconnectReason({ status: "error", last_error: gmail })).toBe(gmail);
    const nylas = "nylas authorization failed: nylas api: 401 unauthorized: Unauthorized (check the API key and the grant)";
    expect(reconnectReason({ status: "error", last_error: nylas })).toBe(nylas);
  });
  it("is null for other errors and other states", () => {
    expect(reconnectReason({ status: "error", last_error: "dial tcp: connection refused" })).toBeNull();
    expect(reconnectReason({ status: "error", last_error: "" })).toBeNull();
    expect(reconnectReason({ status: "ok", last_error: "gmail authorization failed: invalid_grant" })).toBeNull();
  });
});

describe("microsoftStartUrl", () => {
  it("links the mailbox, with an optional first day and shared flag", () => {
    expect(microsoftStartUrl(7)).toBe("/api/v1/mailboxes/microsoft/oauth/start?mailbox_id=7");
    expect(microsoftStartUrl(12, "2026-03-01")).toBe("/api/v1/mailboxes/microsoft/oauth/start?mailbox_id=12&since=2026-03-01");
    expect(microsoftStartUrl(3, "", true)).toBe("/api/v1/mailboxes/microsoft/oauth/start?mailbox_id=3&shared=true");
    expect(microsoftStartUrl(4, "", false, true)).toBe("/api/v1/mailboxes/microsoft/oauth/start?mailbox_id=4&sent=true");
    expect(microsoftStartUrl(5, "2026-03-01", true, true)).toBe("/api/v1/mailboxes/microsoft/oauth/start?mailbox_id=5&since=2026-03-01&shared=true&sent=true");
  });
  it("refuses a date that is not one", () => {
    expect(() => microsoftStartUrl(1, "2026-02-30")).toThrow(/YYYY-MM-DD/);
  });
});

describe("microsoftOutcome", () => {
  it("reads the outcome the flow sends back", () => {
    expect(microsoftOutcome("?microsoft=connected&mailbox=3")).toEqual({ ok: true, message: "Microsoft 365 connected; the sync starts in the background.", mailboxId: 3 });
    expect(microsoftOutcome("?microsoft=error&reason=AADSTS65004")).toEqual({ ok: false, message: "Microsoft 365 was not connected: AADSTS65004", mailboxId: undefined });
    expect(microsoftOutcome("?gmail=connected")).toBeNull();
  });
});

describe("mail OAuth (IMAP/SMTP sign-in)", () => {
  it("starts the flow for a known provider only", () => {
    expect(mailOAuthStartUrl(7, "microsoft")).toBe("/api/v1/mailboxes/oauth/start?mailbox_id=7&provider=microsoft");
    expect(mailOAuthStartUrl(7, "google")).toBe("/api/v1/mailboxes/oauth/start?mailbox_id=7&provider=google");
    expect(() => mailOAuthStartUrl(7, "yahoo")).toThrow(/google or microsoft/);
  });
  it("is offered to IMAP and SMTP mailboxes, not to API ones", () => {
    expect(signsInWithOAuth("imap")).toBe(true);
    expect(signsInWithOAuth("smtp")).toBe(true);
    expect(signsInWithOAuth("gmail")).toBe(false);
    expect(signsInWithOAuth("microsoft")).toBe(false);
  });
  it("reads the outcome", () => {
    expect(mailOAuthOutcome("?oauth=connected&mailbox=3")).toEqual({ ok: true, mailboxId: 3, message: expect.stringMatching(/auth=oauth/) });
    expect(mailOAuthOutcome("?oauth=error&reason=no+client")).toMatchObject({ ok: false, message: "The account was not connected: no client" });
    expect(mailOAuthOutcome("?gmail=connected")).toBeNull();
  });
  it("asks to reconnect after a refused refresh", () => {
    expect(reconnectReason({ status: "error", last_error: "token refresh refused: invalid_grant" })).toMatch(/refused/);
  });
});
