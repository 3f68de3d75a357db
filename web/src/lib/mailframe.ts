// Builds the srcdoc of the sandboxed iframe that shows a message's HTML.
// The HTML is already sanitized by the server (no scripts, styles, forms);
// this adds defence in depth: the frame is sandboxed with an opaque origin,
// and its own CSP blocks every fetch except our stylesheet, our one script
// (mail-frame.js, which reports the content's height) and data: images,
// plus remote images once the agent clicks "Load images". No inline
// script or handler can run.

export interface FrameOptions {
  /** Origin of the app (the frame's stylesheet is loaded from it). */
  origin: string;
  /** Allow http(s) images. */
  loadImages: boolean;
}

export function frameCSP({ origin, loadImages }: FrameOptions): string {
  const img = loadImages ? "data: https: http:" : "data:";
  return [
    "default-src 'none'",
    `style-src ${origin}`,
    `img-src ${img}`,
    "font-src 'none'",
    "media-src 'none'",
    `script-src ${origin}/mail-frame.js`,
    "object-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** buildSrcDoc wraps a sanitized HTML fragment into a full document. */
export function buildSrcDoc(html: string, opts: FrameOptions): string {
  return (
    "<!doctype html><html><head>" +
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttr(frameCSP(opts))}">` +
    '<meta name="referrer" content="no-referrer">' +
    `<link rel="stylesheet" href="${escapeAttr(opts.origin)}/mail-frame.css">` +
    '<base target="_blank">' +
    "</head><body>" +
    html +
    `<script src="${escapeAttr(opts.origin)}/mail-frame.js"></script>` +
    "</body></html>"
  );
}

/** hasRemoteImages tells whether "Load images" would change anything. */
export function hasRemoteImages(html: string): boolean {
  return /<img\b[^>]*\bsrc\s*=\s*["']?\s*https?:/i.test(html);
}

/**
 * estimateFrameHeight guesses a height for the frame until the frame's
 * script reports the real one.
 */
export function estimateFrameHeight(html: string): number {
  const text = html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  const blocks = (html.match(/<(br|p|div|tr|li|h[1-6])\b/gi) ?? []).length;
  const images = (html.match(/<img\b/gi) ?? []).length;
  const h = 32 + Math.ceil(text.length / 90) * 21 + blocks * 8 + images * 120;
  return Math.max(80, Math.min(h, 640));
}

export const FRAME_HEIGHT_MESSAGE = "ticketer:mail-frame-height";
const maxFrameHeight = 100_000;

/**
 * frameHeight reads a height report from mail-frame.js: a whole number of
 * pixels, or null for any other message.
 */
export function frameHeight(data: unknown): number | null {
  if (!data || typeof data !== "object") return null;
  const d = data as { type?: unknown; height?: unknown };
  if (d.type !== FRAME_HEIGHT_MESSAGE || typeof d.height !== "number" || !Number.isFinite(d.height) || d.height < 0) return null;
  return Math.min(Math.ceil(d.height), maxFrameHeight);
}

// Inline images: mail refers to its own image parts as cid:<Content-ID>.
// The frame cannot fetch them (no cid: in its CSP, and an opaque origin has
// no session), so the page fetches those attachments and puts them in as
// data: URLs.

const cidSrc = /(\bsrc\s*=\s*)(["']?)\s*cid:([^"'\s>]*)\2/gi;

/** cidKey normalizes a Content-ID or cid: URL for comparison. */
export function cidKey(id: string): string {
  let s = id;
  try {
    s = decodeURIComponent(s); // cid: URLs are %-encoded (RFC 2392)
  } catch {
    /* keep it as written */
  }
  return s.trim().replace(/^<|>$/g, "").toLowerCase();
}

/** cidRefs lists the Content-IDs the HTML's images point at. */
export function cidRefs(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(cidSrc)) out.add(cidKey(m[3]));
  return [...out];
}

/**
 * inlineCids points cid: image sources at the data: URLs given by
 * Content-ID. The others get an empty image: the alt text shows, and the
 * frame makes no request its CSP would have to refuse.
 */
export function inlineCids(html: string, images: ReadonlyMap<string, string>): string {
  return html.replace(cidSrc, (_all, attr: string, _q: string, id: string) => `${attr}"${images.get(cidKey(id)) ?? "data:,"}"`);
}
