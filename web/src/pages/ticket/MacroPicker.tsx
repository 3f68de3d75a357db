// The macro picker of the reply box: typing "/" or "#" then a name lists
// the matching macros; picking one fills its body in (rendered for the
// ticket) and its actions are applied when the reply is sent.
import { useState } from "react";
import { useListMacros, type Macro } from "../../api/generated";
import { applyMacro, macroTrigger, matchMacros, renderMacro, type MacroContext } from "../../lib/macros";

export interface PickerState {
  /** the list to show (empty: closed) */
  matches: Macro[];
  active: number;
  /** handles a key of the textarea; true when the picker used it */
  onKeyDown(e: React.KeyboardEvent<HTMLTextAreaElement>): boolean;
  /** follows the text and caret as the agent types */
  onInput(text: string, caret: number): void;
  pick(m: Macro): void;
}

/** useMacroPicker: the picker's state over the textarea's text. */
export function useMacroPicker(text: string, setText: (v: string, caret: number) => void, ctx: MacroContext, onPicked: (m: Macro) => void, enabled: boolean): PickerState {
  const macros = useListMacros({ query: { enabled, staleTime: 60_000 } });
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const trigger = enabled ? macroTrigger(text, caret) : null;
  const matches = trigger && trigger.start !== dismissed ? matchMacros(macros.data?.items ?? [], trigger.query).slice(0, 8) : [];
  const pick = (m: Macro) => {
    if (!trigger) return;
    const next = applyMacro(text, trigger, caret, renderMacro(m.body, ctx));
    setText(next.text, next.caret);
    setCaret(next.caret);
    onPicked(m);
  };
  return {
    matches,
    active: Math.min(active, Math.max(matches.length - 1, 0)),
    onInput(t, c) {
      setCaret(c);
      setActive(0);
      if (dismissed !== null && macroTrigger(t, c)?.start !== dismissed) setDismissed(null);
    },
    onKeyDown(e) {
      if (matches.length === 0) return false;
      switch (e.key) {
        case "ArrowDown":
          setActive((a) => (a + 1) % matches.length);
          break;
        case "ArrowUp":
          setActive((a) => (a - 1 + matches.length) % matches.length);
          break;
        case "Enter":
        case "Tab":
          pick(matches[Math.min(active, matches.length - 1)]);
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
  };
}

export function MacroList({ picker }: { picker: PickerState }) {
  if (picker.matches.length === 0) return null;
  return (
    <ul className="macro-list" role="listbox" aria-label="Macros">
      {picker.matches.map((m, i) => (
        <li
          key={m.id}
          role="option"
          aria-selected={i === picker.active}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the textarea's focus
            picker.pick(m);
          }}
        >
          {m.name}
          {m.shared && <span className="muted small">shared</span>}
        </li>
      ))}
    </ul>
  );
}

/** macroActionsLabel: what a macro will change, e.g. "status pending, +refund". */
export function macroActionsLabel(m: Macro): string {
  const a = m.actions;
  const out: string[] = [];
  if (a.status) out.push(`status ${a.status}`);
  if (a.priority) out.push(`priority ${a.priority}`);
  if (a.assignee_id) out.push("assignee");
  for (const t of a.tags_add ?? []) out.push(`+${t}`);
  return out.join(", ");
}
