import { useEffect, useState } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { affectedBy, isQueueKey, parseStreamEvent, STREAM_EVENT_TYPES } from "../lib/live";

export type LiveMode = "connecting" | "live" | "polling";

export const STREAM_URL = "/api/v1/events/stream";
export const POLL_MS = 30_000;

function refreshOpenViews(qc: QueryClient) {
  // Queue lists and whatever ticket page is open.
  void qc.invalidateQueries({
    predicate: (q) => isQueueKey(q.queryKey) || (typeof q.queryKey[0] === "string" && q.queryKey[0].startsWith("/api/v1/tickets/")),
    refetchType: "active",
  });
}

/**
 * useLiveUpdates subscribes to the server's event stream and invalidates
 * the queries each event touches. When the stream is unavailable (no such
 * endpoint, or it keeps failing) it falls back to polling every 30 s and
 * tries the stream again now and then.
 */
export function useLiveUpdates(enabled: boolean): LiveMode {
  const qc = useQueryClient();
  const [mode, setMode] = useState<LiveMode>("connecting");

  useEffect(() => {
    if (!enabled) return;
    let es: EventSource | null = null;
    let poll: number | undefined;
    let retry: number | undefined;
    let wasOpen = false;
    let stopped = false;

    const startPolling = () => {
      setMode("polling");
      if (poll === undefined) poll = window.setInterval(() => refreshOpenViews(qc), POLL_MS);
      if (retry === undefined) {
        retry = window.setTimeout(() => {
          retry = undefined;
          connect();
        }, 5 * POLL_MS);
      }
    };
    const connect = () => {
      if (stopped || typeof EventSource === "undefined") return startPolling();
      es = new EventSource(STREAM_URL, { withCredentials: true });
      es.onopen = () => {
        setMode("live");
        if (poll !== undefined) {
          window.clearInterval(poll);
          poll = undefined;
        }
        // Whatever happened while we were not listening.
        if (wasOpen) refreshOpenViews(qc);
        wasOpen = true;
      };
      const onEvent = (ev: MessageEvent) => {
        const e = parseStreamEvent(ev.data);
        if (!e) return;
        void qc.invalidateQueries({ predicate: (q) => affectedBy(e, q.queryKey) });
      };
      for (const t of STREAM_EVENT_TYPES) es.addEventListener(t, onEvent as EventListener);
      es.onmessage = onEvent;
      es.onerror = () => {
        // CLOSED: the server refused (404, 401, wrong type); the browser
        // will not retry, so poll. CONNECTING: a dropped connection that
        // the browser retries itself; poll meanwhile.
        if (es?.readyState === EventSource.CLOSED) {
          es.close();
          es = null;
        }
        startPolling();
      };
    };
    connect();
    return () => {
      stopped = true;
      es?.close();
      window.clearInterval(poll);
      window.clearTimeout(retry);
    };
  }, [enabled, qc]);

  return mode;
}
