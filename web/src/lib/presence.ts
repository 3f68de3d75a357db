// Collision detection in the browser: who else is on a ticket's page, and
// the newer messages a 409 reply refusal carries.
import type { Message } from "../api/generated";
import { ApiError } from "../api/fetcher";
import type { Viewer } from "./live";

/** presenceKey: the cache entry holding a ticket's viewers (everyone, the reader too). */
export const presenceKey = (ticketId: number) => ["presence", ticketId] as const;

/** TYPING_IDLE_MS: an agent who has not pressed a key for this long stopped typing. */
export const TYPING_IDLE_MS = 5_000;

/** othersOn: the viewers but the reader, each once. */
export function othersOn(viewers: Viewer[] | undefined, meId: number | undefined): Viewer[] {
  const seen = new Set<number>();
  return (viewers ?? []).filter((v) => v.user_id !== meId && !seen.has(v.user_id) && seen.add(v.user_id) !== undefined);
}

function names(list: Viewer[]): string {
  const n = list.map((v) => v.name);
  if (n.length <= 1) return n.join("");
  if (n.length === 2) return `${n[0]} and ${n[1]}`;
  return `${n.slice(0, -1).join(", ")} and ${n[n.length - 1]}`;
}

/**
 * presenceLines says who else is here: "Alice is typing…" for those who
 * type, "Bob is viewing" for the others; nothing when alone.
 */
export function presenceLines(others: Viewer[]): string[] {
  const typing = others.filter((v) => v.typing);
  const viewing = others.filter((v) => !v.typing);
  const out: string[] = [];
  if (typing.length) out.push(`${names(typing)} ${typing.length === 1 ? "is" : "are"} typing…`);
  if (viewing.length) out.push(`${names(viewing)} ${viewing.length === 1 ? "is" : "are"} viewing`);
  return out;
}

/** newestId: the highest message id shown (what a reply says it has seen). */
export function newestId(messages: { id: number }[]): number | undefined {
  let max: number | undefined;
  for (const m of messages) if (max === undefined || m.id > max) max = m.id;
  return max;
}

/** newerMessages: the messages of a 409 newer_messages refusal, else null. */
export function newerMessages(err: unknown): Message[] | null {
  if (!(err instanceof ApiError) || err.status !== 409 || err.code !== "newer_messages") return null;
  const list = (err.body as { messages?: unknown } | undefined)?.messages;
  return Array.isArray(list) ? (list as Message[]) : [];
}
