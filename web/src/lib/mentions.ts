// Mentions in an internal note: "@handle" typed at the caret lists the
// matching agents; picking one writes a handle the server's parser
// (internal/notify Mentioned) resolves to that agent and no other.
import type { User } from "../api/generated";

export interface MentionTrigger {
  /** where the "@" is */
  start: number;
  /** what follows it, up to the caret */
  query: string;
}

// As mentionRE in internal/notify: "@" not after a letter, digit, "_" or "."
// (an email address is not a mention), then handle characters. At least
// one is typed before the list opens.
const triggerRE = /(^|[^\p{L}\p{N}_.])@([\p{L}\p{N}._-]+)$/u;
const handleRE = /^[\p{L}\p{N}._-]+$/u;

/** mentionTrigger finds "@name" being typed at the caret. */
export function mentionTrigger(text: string, caret: number): MentionTrigger | null {
  const before = text.slice(0, caret);
  const m = triggerRE.exec(before);
  if (!m) return null;
  return { start: before.length - m[2].length - 1, query: m[2] };
}

/** handles: what the server accepts for a user, as notify.Handles: the local part, then the name without spaces. */
export function handles(u: Pick<User, "email" | "name">): string[] {
  const local = u.email.toLowerCase().split("@")[0];
  const out = [local];
  const n = u.name.split(/\s+/).join("").toLowerCase();
  if (n && n !== local) out.push(n);
  // The parser drops a trailing ".", "-" or "_" (the end of a sentence), so
  // such a handle, or one with other characters, could never match.
  return out.filter((h) => handleRE.test(h) && !/[._-]$/.test(h));
}

/** mentionHandle: the handle to write for u, preferring one no other agent also answers to; null if none works. */
export function mentionHandle(u: User, all: User[]): string | null {
  const hs = handles(u);
  const taken = new Set(all.filter((o) => o.id !== u.id && !o.disabled).flatMap(handles));
  return hs.find((h) => !taken.has(h)) ?? null;
}

export interface Candidate {
  user: User;
  handle: string;
}

/** matchAgents: enabled agents (not me) whose name, a word of it, or address starts with the query, names starting first; at most limit. */
export function matchAgents(users: User[], query: string, meId?: number, limit = 8): Candidate[] {
  const q = query.toLowerCase();
  const nameStarts = (u: User) => u.name.toLowerCase().startsWith(q) || u.name.split(/\s+/).join("").toLowerCase().startsWith(q);
  const matches = (u: User) => nameStarts(u) || u.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)) || u.email.toLowerCase().startsWith(q);
  const out: Candidate[] = [];
  for (const user of users) {
    if (user.disabled || user.id === meId || !matches(user)) continue;
    const handle = mentionHandle(user, users);
    if (handle) out.push({ user, handle });
  }
  return out
    .sort((a, b) => Number(!nameStarts(a.user)) - Number(!nameStarts(b.user)) || (a.user.name || a.user.email).localeCompare(b.user.name || b.user.email))
    .slice(0, limit);
}

/**
 * applyMention replaces "@que" with "@handle" and a space; the caret goes
 * after it. Before text that already ends the handle (a space, ",", ")")
 * no space is added, and the caret goes past a space already there.
 */
export function applyMention(text: string, t: MentionTrigger, caret: number, handle: string): { text: string; caret: number } {
  const after = text.slice(caret);
  const ends = after !== "" && !/^[\p{L}\p{N}._-]/u.test(after);
  const inserted = "@" + handle + (ends ? "" : " ");
  return { text: text.slice(0, t.start) + inserted + after, caret: t.start + inserted.length + (/^\s/.test(after) ? 1 : 0) };
}
