// HTML mail takes the height of its content: the frame grows (and shrinks)
// with what it shows, measured inside the sandbox, with no inner scroll bar.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, mime, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page;
const consoleErrors = [];

before(async () => {
  app = await startWithAdmin("frame", PASSWORD);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function openMail(subject, html) {
  await sendMail(app.smtpPort, {
    from: "carol@example.org",
    to: "help@example.com",
    data: mime({ from: "Carol <carol@example.org>", to: "help@example.com", subject, messageId: `${subject.replace(/\W/g, "")}-${Date.now()}@example.org`, text: "see html", html }),
  });
  await page.goto(`${app.url}/queue/open`);
  await page.getByRole("link", { name: subject }).click({ timeout: 45_000 });
  const el = page.locator("iframe.mail-frame");
  await el.waitFor();
  await page.frameLocator("iframe.mail-frame").getByText("LAST-LINE").waitFor();
  return el;
}

/** The frame's size on the page, and its content's height and scroll state inside. */
async function measure(el) {
  const frame = await (await el.elementHandle()).contentFrame();
  // content: where the mail's last box ends; scroll: what the frame could scroll.
  const inside = await frame.evaluate(() => ({ content: Math.ceil(document.body.getBoundingClientRect().bottom), scroll: document.documentElement.scrollHeight, view: window.innerHeight }));
  return { outer: (await el.boundingBox()).height, ...inside };
}

async function assertFits(el, what) {
  // The frame settles on its content's height (images and fonts may move it once).
  const m = await waitFor(async () => {
    const m = await measure(el);
    return m.scroll <= m.view && Math.abs(m.outer - m.content) <= 2 ? m : null;
  }, { timeout: 10_000, what: `${what}: the frame to take its content's height (last ${JSON.stringify(await measure(el))})` });
  return m;
}

test("a 330 px message gets a frame of its height, not 250 px with a scroll bar", async () => {
  const lines = Array.from({ length: 12 }, (_, i) => `<p>Line ${i + 1} of a short message.</p>`).join("");
  const el = await openMail("Short HTML mail", `<div>${lines}<p>LAST-LINE</p></div>`);
  const m = await assertFits(el, "short mail");
  assert.ok(m.content > 300, `the mail is tall enough to matter: ${m.content}`);
});

test("a long message is not cut at 640 px", async () => {
  const lines = Array.from({ length: 80 }, (_, i) => `<p>Paragraph ${i + 1}: the quarterly report is attached below.</p>`).join("");
  const el = await openMail("Long HTML mail", `<table><tr><td>${lines}</td></tr></table><p>LAST-LINE</p>`);
  const m = await assertFits(el, "long mail");
  assert.ok(m.outer > 1500, `the frame grew past 640 px: ${m.outer}`);
  await page.screenshot({ path: join(shots, "frame-01-long-mail.png"), fullPage: false });
});

test("the frame follows its content when the window narrows", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const el = page.locator("iframe.mail-frame");
  const narrow = await assertFits(el, "long mail on a phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  const wide = await assertFits(el, "long mail on a wide screen again");
  assert.ok(wide.outer < narrow.outer - 200, `the frame shrank back: ${narrow.outer} -> ${wide.outer}`);
});

test("the frame's script is the only one: no CSP errors but the expected", () => {
  assert.deepEqual(consoleErrors.filter((e) => !/^Failed to load resource: the server responded with a status of 401/.test(e)), []);
});
