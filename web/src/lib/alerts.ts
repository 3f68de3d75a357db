// Broken mailboxes (issue 15): the open alert the API puts on a mailbox,
// in words, and the banner every page shows while one is open.
import type { Mailbox, MailboxAlert } from "../api/generated";

/** alertReason says what an alert's reason means, in a few words. */
export function alertReason(a: Pick<MailboxAlert, "reason">): string {
  switch (a.reason) {
    case "auth":
      return "the provider refused its credentials: connect the account again";
    case "error":
      return "its connection has failed for more than 10 minutes";
    case "quiet":
      return "no mail has arrived for far longer than usual";
  }
  return a.reason;
}

/** brokenMailboxes are the mailboxes with an open alert, in list order. */
export function brokenMailboxes(list: Mailbox[] | undefined): Mailbox[] {
  return (list ?? []).filter((m) => !!m.alert);
}

/** bannerText is the global banner's sentence, or "" with nothing broken. */
export function bannerText(broken: Mailbox[]): string {
  if (broken.length === 0) return "";
  if (broken.length === 1) return `Mailbox ${broken[0].address} is broken: ${alertReason(broken[0].alert!)}.`;
  return `${broken.length} mailboxes are broken: ${broken.map((m) => m.address).join(", ")}.`;
}
