import { describe, expect, it } from "vitest";
import { DEFAULT_ACK_SUBJECT, renderAckPreview } from "./template";

const data = { TicketID: "42", Subject: "Printer", RequesterName: "Alice", RequesterEmail: "a@x", MailboxName: "Support", MailboxAddress: "s@x", PortalURL: "https://h/portal/tickets/42" };

describe("renderAckPreview", () => {
  it("fills the known fields", () => {
    expect(renderAckPreview(DEFAULT_ACK_SUBJECT, data)).toEqual({ text: "Re: Printer [#42]", problems: [] });
  });
  it("fills the portal link", () => {
    expect(renderAckPreview("View online: {{.PortalURL}}", data)).toEqual({ text: "View online: https://h/portal/tickets/42", problems: [] });
  });
  it("reports unknown fields and other syntax", () => {
    const r = renderAckPreview("{{.Nope}} {{if .Subject}}x{{end}}", data);
    expect(r.problems).toHaveLength(3);
    expect(r.problems[0]).toContain(".Nope");
  });
  it("reports an unclosed action", () => {
    expect(renderAckPreview("Hi {{.Subject", data).problems).toEqual(["an unclosed {{"]);
  });
});
