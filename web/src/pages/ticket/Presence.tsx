import { useEffect, useRef, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { announcePresence, leavePresence } from "../../api/generated";
import type { Viewer } from "../../lib/live";
import { othersOn, presenceKey, presenceLines, TYPING_IDLE_MS } from "../../lib/presence";

const DEFAULT_HEARTBEAT_S = 10;

/**
 * usePresence announces the reader on the ticket's page (at once, every
 * heartbeat the server names, and whenever typing changes), leaves when
 * the page goes, and answers who else is here. The list itself comes from
 * the announcements' answers and the stream's presence.changed events,
 * both written into the cache under presenceKey.
 */
export function usePresence(ticketId: number, meId: number | undefined, typing: boolean): Viewer[] {
  const qc = useQueryClient();
  const key = presenceKey(ticketId);
  const typingRef = useRef(typing);
  typingRef.current = typing;
  const viewers = useQuery<Viewer[]>({ queryKey: key, queryFn: async () => qc.getQueryData<Viewer[]>(key) ?? [], enabled: false, staleTime: Infinity });

  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const beat = async () => {
      let next = DEFAULT_HEARTBEAT_S;
      try {
        const r = await announcePresence(ticketId, { typing: typingRef.current });
        if (!stopped) qc.setQueryData(key, r.viewers);
        next = r.heartbeat_seconds || DEFAULT_HEARTBEAT_S;
      } catch {
        /* the next beat tries again */
      }
      if (!stopped) timer = window.setTimeout(beat, next * 1000);
    };
    void beat();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      void leavePresence(ticketId).catch(() => undefined);
    };
    // key is derived from ticketId.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ticketId, qc]);

  // Typing starts or stops: say so now, not at the next beat.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    void announcePresence(ticketId, { typing })
      .then((r) => qc.setQueryData(presenceKey(ticketId), r.viewers))
      .catch(() => undefined);
  }, [ticketId, typing, qc]);

  return othersOn(viewers.data, meId);
}

/** useTyping: typing after a key, until TYPING_IDLE_MS without one or stop(). */
export function useTyping(): [boolean, () => void, () => void] {
  const [typing, setTyping] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const poke = () => {
    setTyping(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setTyping(false), TYPING_IDLE_MS);
  };
  const stop = () => {
    window.clearTimeout(timer.current);
    setTyping(false);
  };
  return [typing, poke, stop];
}

/** PresenceBar: "Alice is typing…", "Bob is viewing"; nothing when alone. */
export function PresenceBar({ others }: { others: Viewer[] }) {
  const lines = presenceLines(others);
  if (!lines.length) return null;
  return (
    <div className="presence" role="status" aria-label="Others on this ticket" data-testid="presence">
      {lines.map((l) => (
        <span key={l} className={l.endsWith("typing…") ? "presence-line typing" : "presence-line"}>
          <span className="presence-dot" aria-hidden="true" />
          {l}
        </span>
      ))}
    </div>
  );
}
