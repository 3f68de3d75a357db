// The phone layout (390x844): nothing overflows sideways, the queue is a
// list of cards, a menu button opens the views, and on a ticket the side
// panel sits below the conversation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, mime, sendMail, signIn, startWithAdmin, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, longSubject;

before(async () => {
  app = await startWithAdmin("phone", PASSWORD);
  const longWord = "Supercalifragilisticexpialidocious".repeat(4);
  // A 1,300-character subject, folded over header lines as mail must be.
  const words = Array.from({ length: 130 }, (_, i) => `word${String(i).padStart(4, "0")}`);
  longSubject = words.join(" ");
  const folded = words.map((w, i) => (i > 0 && i % 8 === 0 ? "\r\n " : i > 0 ? " " : "") + w).join("");
  for (const [i, subject, text] of [
    [1, "The printer on the third floor prints only blank pages since Monday morning", "Hello,\n\nit prints nothing. " + longWord + "\n\nCarol"],
    [2, "Invoice 2026-0042 is wrong", "The amount is wrong."],
    [3, folded, "A long subject."],
  ]) {
    await sendMail(app.smtpPort, {
      from: "carol@example.org",
      to: "help@example.com",
      data: mime({ from: "Carol Customer <carol.customer.with.a.long.address@example.org>", to: "help@example.com", subject, messageId: `phone-${i}-${Date.now()}@example.org`, text }),
    });
  }
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const overflow = () => page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));

async function assertNoOverflow(where) {
  const { scrollWidth, innerWidth } = await overflow();
  assert.ok(scrollWidth <= innerWidth, `${where}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`);
}

test("the queue on a phone: cards, no sideways scrolling, a menu for the views", async () => {
  await page.goto(`${app.url}/queue/open`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/open$/);
  await page.getByRole("link", { name: /Invoice 2026-0042/ }).waitFor({ timeout: 20_000 });
  await page.getByRole("link", { name: /third floor/ }).waitFor({ timeout: 20_000 });
  await shot("phone-01-queue");
  await assertNoOverflow("queue");
  // Cards: each ticket's subject, requester and status stack inside the window.
  const row = page.locator("tbody tr").first();
  const box = await row.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `a card lies inside the window: ${JSON.stringify(box)}`);
  // The sidebar is out of the way until the menu opens it.
  const views = page.getByRole("navigation", { name: "Main" });
  assert.equal(await views.getByRole("link", { name: "Unassigned" }).isVisible(), false, "the views are hidden behind the menu");
  await page.getByRole("button", { name: "Menu" }).click();
  await views.getByRole("link", { name: "Unassigned" }).waitFor({ state: "visible" });
  await shot("phone-02-menu");
  await views.getByRole("link", { name: "Unassigned" }).click();
  await page.waitForURL(/\/queue\/unassigned$/);
  await views.getByRole("link", { name: "All open" }).waitFor({ state: "hidden" });
  await assertNoOverflow("queue after the menu");
});

test("a ticket on a phone: the side panel below the conversation, no sideways scrolling", async () => {
  await page.getByRole("link", { name: /third floor/ }).click();
  await page.getByText("it prints nothing.").waitFor();
  await shot("phone-03-ticket");
  await assertNoOverflow("ticket");
  const conv = await page.getByRole("region", { name: "Conversation" }).boundingBox();
  const side = await page.getByRole("complementary", { name: "Ticket details" }).boundingBox();
  assert.ok(conv.width >= 300, `the conversation has the width of the screen: ${conv.width} px`);
  assert.ok(side.y >= conv.y + conv.height - 1, `the side panel is below the conversation: ${JSON.stringify({ conv, side })}`);
});

test("a 1,300-character subject: two lines at most, on hover the list's 1,000 characters, the whole on the ticket", async () => {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await page.goto(`${app.url}/queue/open`);
    const link = page.getByRole("link", { name: /word0000 word0001/ });
    await link.waitFor();
    // Ticket lists carry at most 1,000 characters of a subject (bounded answers); the ticket has it whole.
    assert.equal(await link.getAttribute("title"), [...longSubject].slice(0, 1000).join("") + "…", "the listed subject on hover");
    const row = await page.locator("tbody tr", { has: link }).boundingBox();
    assert.ok(row.height < 130, `${width} px: the row stays small: ${row.height} px`);
    await page.screenshot({ path: join(shots, `long-subject-queue-${width}.png`) });
    await link.click();
    const h1 = page.getByRole("heading", { level: 1 });
    await h1.waitFor();
    // The page shows the queue's copy (1,000 characters) at once, then the ticket's whole subject.
    await page.waitForFunction((s) => document.querySelector("h1")?.getAttribute("title") === s, longSubject, { timeout: 5000 }).catch(() => {});
    assert.equal(await h1.getAttribute("title"), longSubject);
    const head = await h1.boundingBox();
    assert.ok(head.height < 80, `${width} px: the heading stays small: ${head.height} px`);
    await assertNoOverflow(`ticket with a long subject at ${width} px`);
    await page.screenshot({ path: join(shots, `long-subject-ticket-${width}.png`) });
  }
});
