import { describe, expect, it } from "vitest";
import { startLive, type EventSourceLike, type LiveMode } from "./liveconn";
import type { StreamEvent } from "./live";

class FakeES implements EventSourceLike {
  readyState = 0;
  onopen: ((ev: Event) => unknown) | null = null;
  onerror: ((ev: Event) => unknown) | null = null;
  onmessage: ((ev: MessageEvent) => unknown) | null = null;
  listeners = new Map<string, (ev: MessageEvent) => void>();
  closed = false;
  addEventListener(type: string, fn: (ev: MessageEvent) => void) {
    this.listeners.set(type, fn);
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  emit(type: string, data: unknown) {
    this.listeners.get(type)?.({ data: JSON.stringify(data) } as MessageEvent);
  }
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event("error"));
  }
}

function setup(withES = true) {
  const sources: FakeES[] = [];
  const events: StreamEvent[] = [];
  const modes: LiveMode[] = [];
  let refreshes = 0;
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; every?: number; fn: () => void }>();
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, t] = due;
      now = t.at;
      if (t.every) t.at += t.every;
      else timers.delete(id);
      t.fn();
    }
    now = end;
  };
  const stop = startLive({
    url: "/api/v1/events/stream",
    pollMs: 30_000,
    open: withES
      ? () => {
          const s = new FakeES();
          sources.push(s);
          return s;
        }
      : undefined,
    onEvent: (e) => events.push(e),
    onRefresh: () => refreshes++,
    onMode: (m) => modes.push(m),
    setInterval: (fn, ms) => (timers.set(nextId, { at: now + ms, every: ms, fn }), nextId++),
    clearInterval: (id) => void timers.delete(id!),
    setTimeout: (fn, ms) => (timers.set(nextId, { at: now + ms, fn }), nextId++),
    clearTimeout: (id) => void timers.delete(id!),
  });
  return { sources, events, modes, refreshes: () => refreshes, advance, stop, timers };
}

describe("startLive", () => {
  it("passes stream events on, ignoring junk", () => {
    const s = setup();
    s.sources[0].open();
    s.sources[0].emit("ticket.created", { type: "ticket.created", ticket_id: 4 });
    s.sources[0].emit("message.added", { type: "message.added", ticket_id: 4, message_id: 9 });
    s.sources[0].emit("ticket.updated", { nonsense: true });
    expect(s.events).toEqual([
      { type: "ticket.created", ticket_id: 4 },
      { type: "message.added", ticket_id: 4, message_id: 9 },
    ]);
    expect(s.modes.at(-1)).toBe("live");
    expect(s.refreshes()).toBe(1); // once on opening: what was missed before
    s.advance(120_000);
    expect(s.refreshes()).toBe(1); // no polling while live
  });

  it("polls every 30 s when the stream is refused, and tries it again later", () => {
    const s = setup();
    s.sources[0].fail(true); // 404: closed for good
    expect(s.modes.at(-1)).toBe("polling");
    s.advance(90_000);
    expect(s.refreshes()).toBe(3);
    s.advance(60_000); // 150 s: a new attempt
    expect(s.sources).toHaveLength(2);
    s.sources[1].open();
    expect(s.modes.at(-1)).toBe("live");
    const before = s.refreshes();
    s.advance(120_000);
    expect(s.refreshes()).toBe(before); // polling stopped
  });

  it("refreshes after a dropped connection comes back", () => {
    const s = setup();
    s.sources[0].open();
    s.sources[0].fail(false); // the browser reconnects by itself
    expect(s.modes.at(-1)).toBe("polling");
    s.sources[0].open();
    expect(s.refreshes()).toBe(2); // on the first opening and on the reconnect
    expect(s.sources).toHaveLength(1);
  });

  it("polls without EventSource, and stops cleanly", () => {
    const s = setup(false);
    s.advance(60_000);
    expect(s.refreshes()).toBe(2);
    s.stop();
    s.advance(600_000);
    expect(s.refreshes()).toBe(2);
  });
});
