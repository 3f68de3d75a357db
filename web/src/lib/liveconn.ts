// The live connection behind useLiveUpdates, free of React so it can be
// tested with a fake EventSource and fake timers.
import { parseStreamEvent, STREAM_EVENT_TYPES, type StreamEvent } from "./live";

export type LiveMode = "connecting" | "live" | "polling";

export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  addEventListener(type: string, fn: (ev: MessageEvent) => void): void;
  close(): void;
}

export interface LiveDeps {
  url: string;
  pollMs: number;
  /** Builds the EventSource (undefined: no EventSource in this browser). */
  open?: (url: string) => EventSourceLike;
  onEvent: (e: StreamEvent) => void;
  /** Refresh everything on screen: a poll, or after a reconnect. */
  onRefresh: () => void;
  onMode: (m: LiveMode) => void;
  setInterval?: (fn: () => void, ms: number) => number;
  clearInterval?: (id: number | undefined) => void;
  setTimeout?: (fn: () => void, ms: number) => number;
  clearTimeout?: (id: number | undefined) => void;
}

const CLOSED = 2;

/**
 * startLive subscribes to the stream. When the server refuses it (no such
 * endpoint, signed out) or it drops, it polls every pollMs and tries the
 * stream again after five polls. Returns a function that stops everything.
 */
export function startLive(d: LiveDeps): () => void {
  const setI = d.setInterval ?? ((fn, ms) => window.setInterval(fn, ms));
  const clearI = d.clearInterval ?? ((id) => window.clearInterval(id));
  const setT = d.setTimeout ?? ((fn, ms) => window.setTimeout(fn, ms));
  const clearT = d.clearTimeout ?? ((id) => window.clearTimeout(id));
  let es: EventSourceLike | null = null;
  let poll: number | undefined;
  let retry: number | undefined;
  let stopped = false;

  const startPolling = () => {
    d.onMode("polling");
    if (poll === undefined) poll = setI(d.onRefresh, d.pollMs);
    if (retry === undefined && !es) {
      retry = setT(() => {
        retry = undefined;
        connect();
      }, 5 * d.pollMs);
    }
  };
  const connect = () => {
    if (stopped) return;
    if (!d.open) return startPolling();
    d.onMode("connecting");
    const source = d.open(d.url);
    es = source;
    source.onopen = () => {
      d.onMode("live");
      if (poll !== undefined) {
        clearI(poll);
        poll = undefined;
      }
      // Whatever happened while we were not listening, the first time too:
      // what the page fetched before the stream opened may have missed an
      // event sent in between.
      d.onRefresh();
    };
    const handle = (ev: MessageEvent) => {
      const e = parseStreamEvent(String(ev.data));
      if (e) d.onEvent(e);
    };
    for (const t of STREAM_EVENT_TYPES) source.addEventListener(t, handle);
    source.onmessage = handle;
    source.onerror = () => {
      // CLOSED: refused (404, 401, wrong type), the browser gives up.
      // Otherwise the browser reconnects by itself; poll meanwhile.
      if (source.readyState === CLOSED) {
        source.close();
        if (es === source) es = null;
      }
      startPolling();
    };
  };
  connect();
  return () => {
    stopped = true;
    es?.close();
    clearI(poll);
    clearT(retry);
  };
}
