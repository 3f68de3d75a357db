// How an inbound message found its ticket, in words: what an agent reads
// when a reply lands somewhere unexpected (Message.threaded_by and
// threaded_key, recorded by the server at ingestion).

export interface Threaded {
  message_id?: string;
  threaded_by?: string | null;
  threaded_key?: string;
}

const bracketed = (k: string) => (k ? ` <${k}>` : "");

const phrases: Record<string, (key: string) => string> = {
  new: () => "started this ticket",
  "in-reply-to": (k) => `joined by In-Reply-To${bracketed(k)}`,
  references: (k) => `joined by References${bracketed(k)}`,
  "plus-address": (k) => `joined by the ticket address${k ? ` ${k}` : ""}`,
  "subject-token": (k) => `joined by the ticket number in the subject${k ? ` ${k}` : ""}`,
  "thread-index": (k) => `joined by Outlook's Thread-Index${k ? ` (conversation ${k.slice(0, 12)}…)` : ""}`,
  merged: (k) => `moved here by a merge${k ? ` (from ${k})` : ""}`,
  split: (k) => `split off${k ? ` from ${k}` : ""}`,
};

/** describeThreading says how a message joined its ticket, or "" when it did not arrive by mail. */
export function describeThreading(m: Threaded): string {
  if (!m.threaded_by) return "";
  // Its own id: a reply to it came first (mail is not always delivered in order).
  if (m.threaded_by === "references" && m.threaded_key && m.threaded_key === m.message_id) return `joined by a reply that came first and references it <${m.threaded_key}>`;
  const phrase = phrases[m.threaded_by];
  return phrase ? phrase(m.threaded_key ?? "") : `threaded by ${m.threaded_by}`;
}
