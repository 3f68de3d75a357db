import { describe, expect, it } from "vitest";
import { buildSrcDoc, cidKey, cidRefs, estimateFrameHeight, frameCSP, frameHeight, hasRemoteImages, inlineCids } from "./mailframe";

const origin = "http://127.0.0.1:8080";

describe("frameCSP", () => {
  it("blocks remote images and scripts by default", () => {
    const csp = frameCSP({ origin, loadImages: false });
    expect(csp).toContain("img-src data:;");
    expect(csp).not.toMatch(/img-src[^;]*http/);
    // One script, by its URL: the height reporter. Nothing inline.
    expect(csp).toContain(`script-src ${origin}/mail-frame.js;`);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("default-src 'none'");
  });
  it("allows remote images when asked", () => {
    expect(frameCSP({ origin, loadImages: true })).toContain("img-src data: https: http:");
  });
});

describe("buildSrcDoc", () => {
  it("puts the CSP first, before any content", () => {
    const doc = buildSrcDoc('<img src="https://evil.example/x.png"><p>Hi</p>', { origin, loadImages: false });
    const meta = doc.indexOf('http-equiv="Content-Security-Policy"');
    expect(meta).toBeGreaterThan(0);
    expect(meta).toBeLessThan(doc.indexOf("<img"));
    expect(doc).toContain(`href="${origin}/mail-frame.css"`);
    expect(doc).toContain("<p>Hi</p>");
  });
  it("ends with the height reporter, after the content", () => {
    const doc = buildSrcDoc("<p>Hi</p>", { origin, loadImages: false });
    expect(doc.endsWith(`<p>Hi</p><script src="${origin}/mail-frame.js"></script></body></html>`)).toBe(true);
  });
  it("escapes the origin", () => {
    const doc = buildSrcDoc("", { origin: 'x"><script>', loadImages: false });
    expect(doc).not.toContain('x"><script>');
  });
});

describe("hasRemoteImages", () => {
  it.each([
    ['<img src="https://a/b.png">', true],
    ["<IMG alt=x SRC=http://a/b>", true],
    ['<img src="data:image/png;base64,AAAA">', false],
    ['<img src="cid:logo">', false],
    ['<a href="https://a">x</a>', false],
  ])("%s", (html, want) => expect(hasRemoteImages(html)).toBe(want));
});

describe("estimateFrameHeight", () => {
  it("stays within bounds", () => {
    expect(estimateFrameHeight("")).toBe(80);
    expect(estimateFrameHeight("<p>x</p>".repeat(1000))).toBe(640);
  });
});

describe("inline cid: images", () => {
  const html = `<p>Logo:</p><img src="cid:Logo@Acme.test" alt="logo"><img src='cid:%3Cpic%3E'><img src=cid:gone@x alt=gone><img src="https://x.test/a.png">`;
  it("lists the Content-IDs the images refer to, once each", () => {
    expect(cidRefs(html + '<img src="cid:logo@acme.test">')).toEqual(["logo@acme.test", "pic", "gone@x"]);
    expect(cidKey("<Logo@Acme.test>")).toBe("logo@acme.test");
  });
  it("puts data: URLs in place and empties the ones it does not have", () => {
    const out = inlineCids(html, new Map([["logo@acme.test", "data:image/png;base64,AAAA"], ["pic", "data:image/gif;base64,BBBB"]]));
    expect(out).toContain(`<img src="data:image/png;base64,AAAA" alt="logo">`);
    expect(out).toContain(`<img src="data:image/gif;base64,BBBB">`);
    expect(out).toContain(`<img src="data:," alt=gone>`);
    expect(out).toContain(`<img src="https://x.test/a.png">`);
    expect(out).not.toContain("cid:");
  });
});

describe("frameHeight", () => {
  it.each([
    [{ type: "ticketer:mail-frame-height", height: 330 }, 330],
    [{ type: "ticketer:mail-frame-height", height: 330.2 }, 331],
    [{ type: "ticketer:mail-frame-height", height: 1e9 }, 100_000],
    [{ type: "ticketer:mail-frame-height", height: -1 }, null],
    [{ type: "ticketer:mail-frame-height", height: "330" }, null],
    [{ type: "other", height: 330 }, null],
    ["330", null],
    [null, null],
  ])("%j", (data, want) => expect(frameHeight(data)).toBe(want));
});
