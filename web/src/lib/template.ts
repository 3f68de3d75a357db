// A preview of acknowledgement templates (Go text/template on the server).
// Only the {{.Field}} form is previewed; anything else is reported, since
// the server is the one that renders the real mail.

export const ACK_FIELDS = ["TicketID", "Subject", "RequesterName", "RequesterEmail", "MailboxName", "MailboxAddress", "PortalURL"] as const;
export type AckData = Record<(typeof ACK_FIELDS)[number], string>;

export const DEFAULT_ACK_SUBJECT = "Re: {{.Subject}} [#{{.TicketID}}]";
export const DEFAULT_ACK_BODY = `Hello,

thank you for writing to {{.MailboxName}}. We have received your message and
opened ticket #{{.TicketID}} ("{{.Subject}}"). We will answer as soon as we can.

To add anything, simply reply to this email.

-- 
{{.MailboxName}}
`;

export interface Rendered {
  text: string;
  problems: string[];
}

export function renderAckPreview(tpl: string, data: AckData): Rendered {
  const problems: string[] = [];
  const text = tpl.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, expr: string) => {
    const m = /^\.([A-Za-z]+)$/.exec(expr);
    if (!m) {
      problems.push(`not previewed: ${whole}`);
      return whole;
    }
    if (!(ACK_FIELDS as readonly string[]).includes(m[1])) {
      problems.push(`unknown field .${m[1]} (the server will refuse it)`);
      return whole;
    }
    return data[m[1] as keyof AckData];
  });
  if (/\{\{(?![^}]*\}\})/.test(text)) problems.push("an unclosed {{");
  return { text, problems };
}
