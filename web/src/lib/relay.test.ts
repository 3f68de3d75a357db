import { describe, expect, it } from "vitest";
import { relayWarning } from "./relay";

describe("relayWarning", () => {
  it.each([
    ["smtp://relay.example.com?insecure=1", true],
    ["smtp://u:p@relay.example.com:587?tls=starttls&insecure=true", true],
    ["smtps://relay.example.com?insecure=0", false],
    ["smtp://relay.example.com?tls=starttls&ca=/etc/ssl/ca.pem", false],
    ["smtp://relay.example.com", false],
    ["", false],
  ])("%s warns: %s", (url, warns) => {
    const w = relayWarning(url);
    expect(w !== null).toBe(warns);
    if (warns) expect(w).toContain("not be verified");
  });
});
