// Selecting tickets in the queue for a bulk change: click toggles one,
// shift-click selects the range from the last clicked, "x" toggles the row
// under the cursor, and "select all" takes every loaded row of the view.

export interface Selection {
  ids: ReadonlySet<number>;
  /** the last row toggled without shift: where a shift-click range starts */
  anchor: number | null;
}

export const emptySelection: Selection = { ids: new Set(), anchor: null };

/** toggle adds or removes one ticket and makes it the anchor. */
export function toggle(s: Selection, id: number): Selection {
  const ids = new Set(s.ids);
  if (ids.has(id)) ids.delete(id);
  else ids.add(id);
  return { ids, anchor: id };
}

/** extend selects every row between the anchor and id (both included), in the order shown. */
export function extend(s: Selection, order: readonly number[], id: number): Selection {
  const from = s.anchor === null ? -1 : order.indexOf(s.anchor);
  const to = order.indexOf(id);
  if (from < 0 || to < 0) return toggle(s, id);
  const ids = new Set(s.ids);
  for (let i = Math.min(from, to); i <= Math.max(from, to); i++) ids.add(order[i]);
  return { ids, anchor: s.anchor };
}

/** selectAll selects every row shown, or clears when they all are. */
export function selectAll(s: Selection, order: readonly number[]): Selection {
  if (order.length > 0 && order.every((id) => s.ids.has(id))) return emptySelection;
  return { ids: new Set(order), anchor: s.anchor };
}

/** keepShown drops selected tickets no longer in the view (after a change moved them out). */
export function keepShown(s: Selection, order: readonly number[]): Selection {
  const shown = new Set(order);
  const ids = new Set([...s.ids].filter((id) => shown.has(id)));
  return ids.size === s.ids.size ? s : { ids, anchor: s.anchor !== null && shown.has(s.anchor) ? s.anchor : null };
}
