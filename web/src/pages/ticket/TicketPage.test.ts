import { expect, it } from "vitest";
import { openedFirst } from "./TicketPage";

it.each([
  [{ usr: null, key: "default", idx: 0 }, true],
  [null, true],
  [{}, true],
  [{ usr: null, key: "abc", idx: 3 }, false],
  [{ idx: 1 }, false],
])("openedFirst(%j) = %s", (state, want) => expect(openedFirst(state)).toBe(want));
