import { describe, expect, it } from "vitest";
import { formatBytes, hasHiddenText, hiddenKind, initials, messageLabel, parseAddressList, relativeTime, showsHTML } from "./format";

describe("relativeTime", () => {
  const now = new Date("2026-03-10T12:00:00Z");
  it.each([
    ["2026-03-10T11:59:40Z", "just now"],
    ["2026-03-10T11:55:00Z", "5 min. ago"],
    ["2026-03-10T09:00:00Z", "3 hr. ago"],
    ["2026-03-09T12:00:00Z", "yesterday"],
    ["2026-03-07T12:00:00Z", "3 days ago"],
    ["2026-02-10T12:00:00Z", "last mo."],
    ["2024-03-10T12:00:00Z", "2 yr. ago"],
    ["2026-03-10T12:10:00Z", "in 10 min."],
    ["garbage", ""],
  ])("%s", (iso, want) => expect(relativeTime(iso, now)).toBe(want));
});

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [912, "912 B"],
    [1536, "1.5 KB"],
    [5 * 1024 * 1024, "5.0 MB"],
    [300 * 1024 * 1024, "300 MB"],
    [-1, ""],
  ])("%d", (n, want) => expect(formatBytes(n)).toBe(want));
});

describe("initials", () => {
  it.each([
    [{ name: "Alice Smith", email: "a@x" }, "AS"],
    [{ name: "", email: "bob@x.org" }, "BO"],
    [{ name: "Jean-Luc Picard", email: "j@x" }, "JP"],
  ])("%o", (a, want) => expect(initials(a)).toBe(want));
});

describe("parseAddressList", () => {
  it("splits on commas, semicolons and lines", () => {
    expect(parseAddressList(" a@x, b@y;c@z\n\n")).toEqual(["a@x", "b@y", "c@z"]);
  });
});

describe("hasHiddenText", () => {
  it("is true only when the full text has more", () => {
    expect(hasHiddenText("Hi", "Hi\n\n> quoted")).toBe(true);
    expect(hasHiddenText("Hi", "Hi\n")).toBe(false);
    expect(hasHiddenText("Hi\n\nthere", "Hi\n\n\n\nthere\n")).toBe(false);
  });
});

describe("hiddenKind", () => {
  it.each([
    ["nothing hidden", "Hi", "Hi\n", ""],
    ["only spacing", "Hi\n\nthere", "Hi\n\n\n\n  there", ""],
    ["> quotes", "Thanks", "Thanks\n\nOn Mon, 4 Mar 2024, Ann <a@x> wrote:\n> hello", "quote"],
    ["an unquoted history", "Thanks", "Thanks\n\nOn Mon, 4 Mar 2024, Ann <a@x> wrote:\nhello", "quote"],
    ["Outlook", "Thanks", "Thanks\n-----Original Message-----\nFrom: Ann", "quote"],
    ["an Outlook header block", "Thanks", "Thanks\n\nFrom: Ann <a@x>\nSent: Monday\nSubject: x", "quote"],
    ["a signature", "Hello Carol,\nwe got it.", "Hello Carol,\nwe got it.\n\n-- \nHelp desk\n+1 555 0100", "signature"],
    ["something else", "Short", "Short and then more", "more"],
  ])("%s", (_n, visible, full, want) => expect(hiddenKind(visible, full)).toBe(want));
});

describe("messageLabel and showsHTML", () => {
  const m = (kind: string, extra: { author_id?: number | null; auto_reason?: string; html?: string } = {}) => ({ kind, html: "<p>x</p>", ...extra });
  it("tells our replies, automatic ones and those from a mail client apart", () => {
    expect(messageLabel(m("inbound"))).toBe("");
    expect(messageLabel(m("outbound", { author_id: 3 }))).toBe("Reply");
    expect(messageLabel(m("outbound", { author_id: null, auto_reason: "acknowledgement" }))).toBe("Automatic reply");
    expect(messageLabel(m("outbound", { author_id: null }))).toBe("Reply from a mail client");
    expect(messageLabel(m("note", { author_id: 3 }))).toBe("Internal note");
  });
  it("opens formatted only what its author wrote as HTML", () => {
    expect(showsHTML(m("inbound"))).toBe(true);
    expect(showsHTML(m("inbound", { html: "" }))).toBe(false);
    expect(showsHTML(m("outbound", { author_id: 3 }))).toBe(false);
    expect(showsHTML(m("outbound", { auto_reason: "acknowledgement" }))).toBe(false);
    expect(showsHTML(m("outbound"))).toBe(true);
  });
});
