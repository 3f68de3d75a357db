import { describe, expect, it } from "vitest";
import { emptySelection, extend, keepShown, selectAll, toggle } from "./selection";

const order = [10, 11, 12, 13, 14];
const ids = (s: { ids: ReadonlySet<number> }) => [...s.ids].sort((a, b) => a - b);

describe("selection", () => {
  it("click toggles one ticket", () => {
    const s = toggle(emptySelection, 11);
    expect(ids(s)).toEqual([11]);
    expect(ids(toggle(s, 11))).toEqual([]);
  });
  it("shift-click selects the range from the last clicked, either way", () => {
    expect(ids(extend(toggle(emptySelection, 11), order, 13))).toEqual([11, 12, 13]);
    expect(ids(extend(toggle(emptySelection, 13), order, 10))).toEqual([10, 11, 12, 13]);
  });
  it("shift-click without an anchor toggles", () => {
    expect(ids(extend(emptySelection, order, 12))).toEqual([12]);
  });
  it("select all takes every row, and clears when all are taken", () => {
    const all = selectAll(toggle(emptySelection, 12), order);
    expect(ids(all)).toEqual(order);
    expect(ids(selectAll(all, order))).toEqual([]);
  });
  it("keeps only the tickets still shown", () => {
    const s = selectAll(emptySelection, order);
    expect(ids(keepShown(s, [10, 14]))).toEqual([10, 14]);
    expect(keepShown(s, order)).toBe(s);
  });
});
