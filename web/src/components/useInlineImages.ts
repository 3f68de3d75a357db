import { useEffect, useMemo, useState } from "react";
import type { Attachment } from "../api/generated";
import { cidKey, cidRefs } from "../lib/mailframe";

// Raster images only, and not huge ones: they become data: URLs in the page.
const inlineTypes = /^image\/(png|jpe?g|gif|webp|bmp)$/i;
const maxInlineBytes = 10 << 20;

/** inlineImageAttachments picks the attachments the HTML shows in place (cid:). */
export function inlineImageAttachments(html: string, attachments: Attachment[]): Attachment[] {
  const refs = new Set(cidRefs(html));
  return attachments.filter((a) => a.content_id && refs.has(cidKey(a.content_id)) && inlineTypes.test(a.content_type) && a.size <= maxInlineBytes);
}

/**
 * useInlineImages fetches, with the page's session, the image attachments
 * the HTML shows in place, and gives them as data: URLs by Content-ID. Until
 * they arrive (or if they cannot), the map has no entry for them.
 */
export function useInlineImages(html: string, attachments: Attachment[], enabled: boolean): ReadonlyMap<string, string> {
  const wanted = useMemo(() => (enabled ? inlineImageAttachments(html, attachments) : []), [html, attachments, enabled]);
  const key = wanted.map((a) => a.id).join(",");
  const [images, setImages] = useState<ReadonlyMap<string, string>>(() => new Map());
  useEffect(() => {
    if (wanted.length === 0) return;
    const ctrl = new AbortController();
    Promise.all(
      wanted.map(async (a) => {
        const res = await fetch(`/api/v1/attachments/${a.id}/content`, { credentials: "same-origin", signal: ctrl.signal });
        if (!res.ok) return null;
        // The download is served as a download: give the data its real type.
        const blob = new Blob([await res.arrayBuffer()], { type: a.content_type.toLowerCase() });
        return [cidKey(a.content_id ?? ""), await dataURL(blob)] as const;
      }),
    )
      .then((list) => setImages(new Map(list.filter((e) => e !== null))))
      .catch(() => {
        /* aborted, or offline: the images stay empty and their alt text shows */
      });
    return () => ctrl.abort();
    // Keyed by the attachments' ids: wanted is a new array on every render.
  }, [key]);
  return images;
}

function dataURL(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
  });
}
