// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Ticket, TicketUpdate } from "../../api/generated";
import { click, render, settle, type, type Rendered } from "../../test/render";
import { SnoozeControl, snoozePresets } from "./Snooze";

const base = { id: 7, subject: "Invoice", status: "open", priority: "normal", tags: [], snooze_until: null } as unknown as Ticket;
let r: Rendered | undefined;
afterEach(() => r?.unmount());

async function show(t: Ticket, now = new Date(2026, 10, 4, 15, 30)) {
  const calls: TicketUpdate[] = [];
  const change = async (data: TicketUpdate) => {
    calls.push(data);
    return true;
  };
  r = await render(<SnoozeControl ticket={t} change={change} now={() => now} />);
  await settle();
  return calls;
}
const button = (name: string) => [...r!.container.querySelectorAll("button")].find((b) => b.textContent === name)!;

describe("snoozePresets", () => {
  it("offers tomorrow 9:00 and next Monday 9:00", () => {
    const [tomorrow, week] = snoozePresets(new Date(2026, 10, 4, 15, 30)); // a Wednesday
    expect(tomorrow.at).toEqual(new Date(2026, 10, 5, 9, 0));
    expect(week.at).toEqual(new Date(2026, 10, 9, 9, 0));
    expect(snoozePresets(new Date(2026, 10, 9, 8, 0))[1].at).toEqual(new Date(2026, 10, 16, 9, 0)); // on a Monday: the next one
  });
});

describe("the snooze control", () => {
  it("snoozes until tomorrow 9:00: pending with the time", async () => {
    const calls = await show(base);
    await click(button("Snooze…"));
    await click(button("Tomorrow 9:00"));
    expect(calls).toEqual([{ status: "pending", snooze_until: new Date(2026, 10, 5, 9, 0).toISOString() }]);
  });

  it("snoozes until a chosen date and time", async () => {
    const calls = await show(base);
    await click(button("Snooze…"));
    await type(r!.container.querySelector<HTMLInputElement>("input[type=datetime-local]")!, "2026-12-01T08:15");
    await click(button("Snooze"));
    expect(calls).toEqual([{ status: "pending", snooze_until: new Date(2026, 11, 1, 8, 15).toISOString() }]);
  });

  it("shows a snoozed ticket's badge and unsnoozes it", async () => {
    const calls = await show({ ...base, status: "pending", snooze_until: "2026-11-05T09:00:00Z" } as Ticket);
    expect(r!.container.querySelector("[role=status]")?.textContent).toMatch(/^Snoozed until /);
    await click(button("Unsnooze"));
    expect(calls).toEqual([{ snooze_until: null }]);
  });

  it("shows no badge on a ticket that is not snoozed", async () => {
    await show(base);
    expect(r!.container.querySelector("[role=status]")).toBeNull();
  });
});
