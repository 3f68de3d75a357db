import { describe, expect, it } from "vitest";
import { inlineImageAttachments } from "./useInlineImages";

describe("inlineImageAttachments", () => {
  const att = (id: number, content_type: string, content_id?: string, size = 1000) => ({ id, filename: `f${id}`, content_type, size, content_id });
  it("takes the raster images the HTML refers to, and nothing else", () => {
    const html = `<img src="cid:a@x"><img src="cid:b@x"><img src="cid:c@x"><img src="cid:d@x"><img src="https://x.test/e.png">`;
    const list = [
      att(1, "image/png", "<A@x>"), // referenced (Content-IDs compare without brackets or case)
      att(2, "image/svg+xml", "<b@x>"), // not a raster image
      att(3, "image/jpeg", "<c@x>", 50 << 20), // too large to inline
      att(4, "image/gif"), // no Content-ID
      att(5, "application/pdf", "<d@x>"),
      att(6, "image/webp", "<unused@x>"), // not referenced
    ];
    expect(inlineImageAttachments(html, list).map((a) => a.id)).toEqual([1]);
  });
});
