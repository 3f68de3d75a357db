// Formatting helpers shared by the pages.

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

// Intl formatters are costly to build (a list of 50 rows would build 100):
// one per locale, reused.
const rtfs = new Map<string, Intl.RelativeTimeFormat>();
const dtfs = new Map<string, Intl.DateTimeFormat>();
function rtf(locale: string): Intl.RelativeTimeFormat {
  let f = rtfs.get(locale);
  if (!f) rtfs.set(locale, (f = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" })));
  return f;
}
function dtf(locale: string | undefined): Intl.DateTimeFormat {
  const k = locale ?? "";
  let f = dtfs.get(k);
  if (!f) dtfs.set(k, (f = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" })));
  return f;
}

/** relativeTime: "just now", "5 min. ago", "yesterday", "3 days ago". */
export function relativeTime(iso: string, now: Date = new Date(), locale = "en"): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return "";
  const secs = Math.round((t - now.getTime()) / 1000);
  const abs = Math.abs(secs);
  if (abs < 45) return "just now";
  for (const [unit, size] of units) {
    if (abs >= size * 0.9 || unit === "minute") return rtf(locale).format(Math.round(secs / size), unit);
  }
  return "";
}

/** absoluteTime: a full local date and time, for titles and tooltips. */
export function absoluteTime(iso: string, locale?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return dtf(locale).format(d);
}

/** formatBytes: 0 B, 912 B, 1.2 KB, 3.4 MB. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1024) return `${n} B`;
  const u = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${u[i]}`;
}

/** displayName: the name, else the address. */
export function displayName(a: { name?: string; email: string } | null | undefined): string {
  if (!a) return "";
  return a.name?.trim() || a.email;
}

/** initials for avatars. */
export function initials(a: { name?: string; email: string }): string {
  const n = displayName(a).replace(/[^\p{L}\p{N} ]/gu, " ").trim();
  const parts = n.split(/\s+/).filter(Boolean);
  if (parts.length === 0) return "?";
  if (parts.length === 1) return parts[0].slice(0, 2).toUpperCase();
  return (parts[0][0] + parts[parts.length - 1][0]).toUpperCase();
}

/** parseAddressList splits "a@x, b@y; c@z" into trimmed addresses. */
export function parseAddressList(s: string): string[] {
  return s.split(/[,;\n]/).map((x) => x.trim()).filter(Boolean);
}

/** hasHiddenText: the full text has more than the visible part (spacing aside). */
export function hasHiddenText(visible: string, full: string): boolean {
  const words = (s: string) => s.replace(/\s+/g, " ").trim();
  return words(full).length > words(visible).length;
}

// Markers of quoted history, as the server's mail.VisibleText cuts it:
// "> " lines, "On ... wrote:" attributions, Outlook separators and headers.
const quoteMarkers = [
  /^\s*>/m,
  /^.*\s(wrote|schrieb|a\s+écrit|escribió|ha\s+scritto|schreef)[^\n]*:\s*$/im,
  /^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|forwarded message|weitergeleitete nachricht)\s*-{2,}\s*$/im,
  /^\s*_{10,}\s*$/m,
  /^\s*\*?(from|von|de|van|da|från|fra)\s*:\*?\s*\S.*\n\s*\*?(sent|date|gesendet|datum|envoyé|enviado|fecha|verzonden|inviato|data|skickat|sendt)\s*:/im,
];

/**
 * hiddenKind names what the visible text leaves out: "quote" (quoted
 * history), "signature" (after a "-- " line), "more" (anything else), or ""
 * when nothing is hidden. The message's toggle is labelled by it.
 */
export function hiddenKind(visible: string, full: string): "" | "quote" | "signature" | "more" {
  if (!hasHiddenText(visible, full)) return "";
  if (quoteMarkers.some((re) => re.test(full))) return "quote";
  if (/^--[ \t]?$/m.test(full)) return "signature";
  return "more";
}

type LabelledMessage = { kind: string; author_id?: number | null; auto_reason?: string; html: string; party?: string };

const kindLabel: Record<string, string> = { inbound: "", outbound: "Reply", note: "Internal note", auto_reply: "Automatic" };

/** fromMailClient: mail we sent, but not through Ticketer (a synced sent folder). */
export function fromMailClient(m: LabelledMessage): boolean {
  return m.kind === "outbound" && m.author_id == null && !m.auto_reason && !m.party;
}

/** messageLabel is the badge of a message in its ticket ("" for a customer's). */
export function messageLabel(m: LabelledMessage): string {
  if (m.party === "forward") return "Forwarded to a third party";
  if (m.party === "third_party") return "From a third party";
  if (fromMailClient(m)) return "Reply from a mail client";
  if (m.kind === "outbound" && m.author_id == null) return "Automatic reply";
  return kindLabel[m.kind] ?? "";
}

/**
 * showsHTML: a message opens formatted when its HTML is what its author
 * wrote. Replies written here were plain text; their HTML is our rendering.
 */
export function showsHTML(m: LabelledMessage): boolean {
  return m.html !== "" && (m.kind === "inbound" || fromMailClient(m));
}
