import { useMemo, useState } from "react";
import { buildSrcDoc, estimateFrameHeight, hasRemoteImages } from "../lib/mailframe";

/**
 * MailFrame shows sanitized mail HTML in a sandboxed iframe: no scripts, no
 * forms, no same-origin access (an opaque origin), links open in a new tab
 * outside the sandbox. Remote images stay blocked by the frame's own CSP
 * until the agent asks for them.
 */
export function MailFrame({ html, title }: { html: string; title: string }) {
  const [loadImages, setLoadImages] = useState(false);
  const remote = useMemo(() => hasRemoteImages(html), [html]);
  const srcDoc = useMemo(() => buildSrcDoc(html, { origin: window.location.origin, loadImages }), [html, loadImages]);
  const [tall, setTall] = useState(false);
  const height = estimateFrameHeight(html);
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
        className="mail-frame"
        title={title}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        srcDoc={srcDoc}
        height={tall ? 1200 : height}
        loading="lazy"
      />
      {height >= 640 && (
        <div className="msg-foot">
          <button className="btn btn-ghost btn-sm" onClick={() => setTall((t) => !t)}>
            {tall ? "Smaller" : "Taller"}
          </button>
        </div>
      )}
    </div>
  );
}
