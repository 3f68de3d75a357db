import { useEffect, useState } from "react";
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { affectedBy, isQueueKey } from "../lib/live";
import { startLive, type LiveMode } from "../lib/liveconn";
import { presenceKey } from "../lib/presence";

export type { LiveMode };
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
 * the queries each event touches; without the stream it polls every 30 s.
 */
export function useLiveUpdates(enabled: boolean): LiveMode {
  const qc = useQueryClient();
  const [mode, setMode] = useState<LiveMode>("connecting");
  useEffect(() => {
    if (!enabled) return;
    return startLive({
      url: STREAM_URL,
      pollMs: POLL_MS,
      open: typeof EventSource === "undefined" ? undefined : (url) => new EventSource(url, { withCredentials: true }),
      onEvent: (e) => {
        if (e.type === "presence.changed") qc.setQueryData(presenceKey(e.ticket_id), e.viewers ?? []);
        else void qc.invalidateQueries({ predicate: (q) => affectedBy(e, q.queryKey) });
      },
      onRefresh: () => refreshOpenViews(qc),
      onMode: setMode,
    });
  }, [enabled, qc]);
  return mode;
}
