// Drafts of replies and notes, kept per ticket in the browser's storage so
// that a reload, a crash of the tab or a look at another ticket loses
// nothing. A sent reply or note clears its draft.
import type { Address } from "../api/generated";

export type DraftKind = "reply" | "note";

export interface Draft {
  body: string;
  /** the reply's Cc chips once edited; absent: the conversation's reply-all */
  cc?: Address[];
}

const prefix = "ticketer.draft.";

export function draftKey(ticketId: number, kind: DraftKind): string {
  return `${prefix}${ticketId}.${kind}`;
}

/** loadDraft reads a draft; a missing, unreadable or foreign entry is no draft. */
export function loadDraft(storage: Storage | undefined, ticketId: number, kind: DraftKind): Draft | null {
  try {
    const raw = storage?.getItem(draftKey(ticketId, kind));
    if (!raw) return null;
    const v = JSON.parse(raw) as unknown;
    if (!v || typeof v !== "object" || typeof (v as Draft).body !== "string") return null;
    const d = v as Draft;
    const cc = Array.isArray(d.cc) ? d.cc.filter((a) => a && typeof a.email === "string").map((a) => ({ email: a.email, name: typeof a.name === "string" ? a.name : "" })) : undefined;
    return cc ? { body: d.body, cc } : { body: d.body };
  } catch {
    return null;
  }
}

/** saveDraft keeps a draft; an empty one (no text, Cc untouched) is removed. */
export function saveDraft(storage: Storage | undefined, ticketId: number, kind: DraftKind, d: Draft) {
  try {
    if (!d.body && !d.cc) storage?.removeItem(draftKey(ticketId, kind));
    else storage?.setItem(draftKey(ticketId, kind), JSON.stringify(d));
  } catch {
    // Storage full or refused (private mode): the draft lives on screen only.
  }
}

export function clearDraft(storage: Storage | undefined, ticketId: number, kind: DraftKind) {
  saveDraft(storage, ticketId, kind, { body: "" });
}
