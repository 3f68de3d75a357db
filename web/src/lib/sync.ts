// Helpers for a mailbox's connector sync status (GET /api/v1/mailboxes/{id}/sync)
// and the two ways to connect a provider account.
import type { MailboxSync } from "../api/generated";

export const SYNC_POLL_SYNCING_MS = 5_000;
export const SYNC_POLL_IDLE_MS = 60_000;

export const NYLAS_REGIONS = [
  { label: "US", value: "https://api.us.nylas.com" },
  { label: "EU", value: "https://api.eu.nylas.com" },
] as const;

export type SyncTone = "ok" | "syncing" | "error" | "off";

/** syncTone: the badge colour; a disabled connector is "off" whatever its last status. */
export function syncTone(s: Pick<MailboxSync, "status" | "enabled">): SyncTone {
  if (!s.enabled) return "off";
  if (s.status === "ok" || s.status === "syncing" || s.status === "error") return s.status;
  return "off";
}

/** syncLabel: the text of the status badge. */
export function syncLabel(s: Pick<MailboxSync, "status" | "enabled">): string {
  const st = s.status || "unknown";
  return s.enabled ? st : `${st} (disabled)`;
}

/** progressPercent: 0..100, rounded down so 100 means done; null when the total is unknown. */
export function progressPercent(done: number, total: number): number | null {
  if (!Number.isFinite(done) || !Number.isFinite(total) || total <= 0) return null;
  const p = Math.floor((Math.max(0, done) / total) * 100);
  return Math.min(100, p);
}

/** showProgress: a bar only while a backfill runs with a known size. */
export function showProgress(s: Pick<MailboxSync, "status" | "total">): boolean {
  return s.status === "syncing" && s.total > 0;
}

/** progressText: "1,234 of 5,000 messages (24%)". */
export function progressText(done: number, total: number, locale = "en"): string {
  const nf = new Intl.NumberFormat(locale);
  const p = progressPercent(done, total);
  return p === null ? `${nf.format(done)} messages` : `${nf.format(done)} of ${nf.format(total)} messages (${p}%)`;
}

/** syncRefetchMs: poll often while syncing, rarely otherwise. */
export function syncRefetchMs(s: Pick<MailboxSync, "status"> | undefined): number {
  return s?.status === "syncing" ? SYNC_POLL_SYNCING_MS : SYNC_POLL_IDLE_MS;
}

/** isDate: a real calendar day written YYYY-MM-DD. */
export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(s + "T00:00:00Z");
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** oauthStartUrl: the start of a provider's OAuth connect flow (a full-page navigation), with an optional first day. */
function oauthStartUrl(provider: string, mailboxId: number, since: string, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams({ mailbox_id: String(mailboxId) });
  const d = since.trim();
  if (d) {
    if (!isDate(d)) throw new Error("since must be a date, YYYY-MM-DD");
    q.set("since", d);
  }
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `/api/v1/mailboxes/${provider}/oauth/start?${q.toString()}`;
}

/** gmailStartUrl: where the browser goes to start Gmail's OAuth consent. */
export function gmailStartUrl(mailboxId: number, since = ""): string {
  return oauthStartUrl("gmail", mailboxId, since);
}

/** microsoftStartUrl: where the browser goes to start Microsoft's sign-in for a mailbox (own or shared; sent: also sync Sent Items). */
export function microsoftStartUrl(mailboxId: number, since = "", shared = false, sent = false): string {
  return oauthStartUrl("microsoft", mailboxId, since, { ...(shared ? { shared: "true" } : {}), ...(sent ? { sent: "true" } : {}) });
}

/** MAIL_OAUTH_PROVIDERS: who an IMAP or SMTP-relay mailbox can sign in with (XOAUTH2). */
export const MAIL_OAUTH_PROVIDERS = [
  { value: "google", label: "Google" },
  { value: "microsoft", label: "Microsoft" },
] as const;

/** mailOAuthStartUrl: where the browser goes to connect the account an IMAP or SMTP-relay mailbox signs in with. */
export function mailOAuthStartUrl(mailboxId: number, provider: string): string {
  if (!MAIL_OAUTH_PROVIDERS.some((p) => p.value === provider)) throw new Error("provider must be google or microsoft");
  const q = new URLSearchParams({ mailbox_id: String(mailboxId), provider });
  return `/api/v1/mailboxes/oauth/start?${q.toString()}`;
}

/** signsInWithOAuth: whether a mailbox's provider reads and sends over IMAP/SMTP (so it can sign in with a connected account). */
export function signsInWithOAuth(provider: string): boolean {
  return provider === "imap" || provider === "smtp";
}

/** ConnectOutcome is what a connect flow reports when it sends the admin back. */
export interface ConnectOutcome {
  ok: boolean;
  message: string;
  mailboxId?: number;
}

/** oauthOutcome reads "?<key>=connected|error&reason=...&mailbox=N"; null when absent. */
function oauthOutcome(search: string, key: string, name: string): ConnectOutcome | null {
  const q = new URLSearchParams(search);
  const state = q.get(key);
  if (state !== "connected" && state !== "error") return null;
  const id = Number(q.get("mailbox"));
  const mailboxId = Number.isInteger(id) && id > 0 ? id : undefined;
  if (state === "connected") return { ok: true, message: `${name} connected; the sync starts in the background.`, mailboxId };
  return { ok: false, message: `${name} was not connected: ${q.get("reason") || "unknown error"}`, mailboxId };
}

/** gmailOutcome reads what the Gmail connect flow reports ("?gmail=..."). */
export function gmailOutcome(search: string): ConnectOutcome | null {
  return oauthOutcome(search, "gmail", "Gmail");
}

/** mailOAuthOutcome reads what the IMAP/SMTP account flow reports ("?oauth=..."). */
export function mailOAuthOutcome(search: string): ConnectOutcome | null {
  const o = oauthOutcome(search, "oauth", "The account");
  if (o?.ok) o.message = "Account connected: the mailbox's IMAP and SMTP URLs with auth=oauth now sign in with it.";
  return o;
}

/** microsoftOutcome reads what the Microsoft connect flow reports ("?microsoft=..."). */
export function microsoftOutcome(search: string): ConnectOutcome | null {
  return oauthOutcome(search, "microsoft", "Microsoft 365");
}

/**
 * reconnectReason: the reason to show with "Reconnect this mailbox" when the
 * mailbox's error says the provider refused its credentials (Gmail's
 * invalid_grant, e.g. an OAuth app in Testing after 7 days; a revoked Nylas
 * key or grant); null for any other state.
 */
export function reconnectReason(s: Pick<MailboxSync, "status" | "last_error">): string | null {
  if (s.status !== "error" || !s.last_error) return null;
  return /invalid_grant|authorization failed|token refresh refused/i.test(s.last_error) ? s.last_error : null;
}
