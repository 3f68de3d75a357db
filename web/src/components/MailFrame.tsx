import { useEffect, useMemo, useRef, useState } from "react";
import { buildSrcDoc, estimateFrameHeight, frameHeight, hasRemoteImages } from "../lib/mailframe";

/**
 * MailFrame shows sanitized mail HTML in a sandboxed iframe: an opaque
 * origin, no forms, and no script but our own mail-frame.js (the frame's
 * CSP), which reports the content's height so the frame takes it. Links
 * open in a new tab outside the sandbox. Remote images stay blocked by the
 * frame's own CSP until the agent asks for them.
 */
export function MailFrame({ html, title }: { html: string; title: string }) {
  const [loadImages, setLoadImages] = useState(false);
  const remote = useMemo(() => hasRemoteImages(html), [html]);
  const srcDoc = useMemo(() => buildSrcDoc(html, { origin: window.location.origin, loadImages }), [html, loadImages]);
  const ref = useRef<HTMLIFrameElement>(null);
  const [measured, setMeasured] = useState<number | null>(null);
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      // Only our own frame's report; any other window is ignored.
      if (!ref.current || e.source !== ref.current.contentWindow) return;
      const h = frameHeight(e.data);
      if (h !== null) setMeasured(h);
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);
  return (
    <div>
      {remote && !loadImages && (
        <div className="banner banner-warning row" role="note">
          <span className="spacer">Remote images are blocked to protect your privacy.</span>
          <button className="btn btn-sm" onClick={() => setLoadImages(true)}>
            Load images
          </button>
        </div>
      )}
      <iframe
        ref={ref}
        className="mail-frame"
        title={title}
        sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        srcDoc={srcDoc}
        height={measured ?? estimateFrameHeight(html)}
        loading="lazy"
      />
    </div>
  );
}
