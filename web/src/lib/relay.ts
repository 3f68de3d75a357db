// What the mailbox form says about an SMTP relay URL as it is typed. The
// server checks the URL for real when the mailbox is saved; this only warns.

export const RELAY_HELP =
  "smtp:// uses STARTTLS when the relay offers it; add ?tls=starttls to require it, or ?tls=none for a relay on this machine. " +
  "smtps:// is TLS from the first byte. ?ca=/path/ca.pem trusts a private CA, ?helo=NAME sets the EHLO name, " +
  "?insecure=1 skips certificate verification. Stored encrypted; never shown again.";

// relayWarning is the plain warning for an unsafe relay URL, or null.
export function relayWarning(url: string): string | null {
  const q = url.indexOf("?");
  if (q < 0) return null;
  const params = new URLSearchParams(url.slice(q + 1));
  const insecure = params.get("insecure");
  if (insecure !== null && ["1", "t", "T", "true", "TRUE", "True"].includes(insecure)) {
    return "insecure=1: the relay's certificate will not be verified. Anyone on the network path can read and change the mail and see the relay password. Prefer ?ca=/path/ca.pem.";
  }
  return null;
}
