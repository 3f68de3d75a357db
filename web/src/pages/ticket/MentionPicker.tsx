// The mention picker of the note box: "@" then letters lists the matching
// agents; picking one writes the handle the server notifies (see
// lib/mentions). Keys as in the macro picker; the textarea points at the
// active option with aria-activedescendant.
import { useId, useState } from "react";
import { useListUsers } from "../../api/generated";
import { applyMention, matchAgents, mentionTrigger, type Candidate } from "../../lib/mentions";

export interface MentionPickerState {
  /** the list to show (empty: closed) */
  matches: Candidate[];
  active: number;
  listId: string;
  optionId(i: number): string;
  /** handles a key of the textarea; true when the picker used it */
  onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>): boolean;
  /** follows the text and caret as the agent types */
  onInput(text: string, caret: number): void;
  /** the caret moved without typing (a click, arrow keys) */
  onCaret(caret: number): void;
  pick(c: Candidate): void;
  /** ARIA attributes for the textarea */
  inputProps: Record<string, string | boolean | undefined>;
}

export function useMentionPicker(text: string, setText: (v: string, caret: number) => void, meId: number | undefined, enabled: boolean): MentionPickerState {
  const users = useListUsers({ query: { enabled, staleTime: 60_000 } });
  const listId = useId();
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const trigger = enabled ? mentionTrigger(text, caret) : null;
  const matches = trigger && trigger.start !== dismissed ? matchAgents(users.data?.items ?? [], trigger.query, meId) : [];
  const current = Math.min(active, Math.max(matches.length - 1, 0));
  const optionId = (i: number) => `${listId}-${i}`;
  const pick = (c: Candidate) => {
    if (!trigger) return;
    const next = applyMention(text, trigger, caret, c.handle);
    setText(next.text, next.caret);
    setCaret(next.caret);
  };
  const open = matches.length > 0;
  return {
    matches,
    active: current,
    listId,
    optionId,
    onInput(t, c) {
      setCaret(c);
      setActive(0);
      if (dismissed !== null && mentionTrigger(t, c)?.start !== dismissed) setDismissed(null);
    },
    onCaret(c) {
      setCaret(c);
    },
    onKeyDown(e) {
      if (!open) return false;
      switch (e.key) {
        case "ArrowDown":
          setActive((current + 1) % matches.length);
          break;
        case "ArrowUp":
          setActive((current - 1 + matches.length) % matches.length);
          break;
        case "Enter":
        case "Tab":
          if (e.ctrlKey || e.metaKey) return false; // Ctrl+Enter still sends
          pick(matches[current]);
          break;
        case "Escape":
          setDismissed(trigger!.start);
          break;
        default:
          return false;
      }
      e.preventDefault();
      return true;
    },
    pick,
    inputProps: enabled
      ? {
          "aria-autocomplete": "list",
          "aria-expanded": open,
          "aria-controls": open ? listId : undefined,
          "aria-activedescendant": open ? optionId(current) : undefined,
        }
      : {},
  };
}

export function MentionList({ picker }: { picker: MentionPickerState }) {
  if (picker.matches.length === 0) return null;
  return (
    <ul className="macro-list mention-list" id={picker.listId} role="listbox" aria-label="Agents to mention">
      {picker.matches.map((c, i) => (
        <li
          key={c.user.id}
          id={picker.optionId(i)}
          role="option"
          aria-selected={i === picker.active}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the textarea's focus
            picker.pick(c);
          }}
        >
          <span className="mention-name">{c.user.name || c.user.email}</span>
          <span className="muted small">@{c.handle}</span>
        </li>
      ))}
    </ul>
  );
}
