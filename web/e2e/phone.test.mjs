// The phone layout (390x844): nothing overflows sideways, the queue is a
// list of cards, a menu button opens the views, and on a ticket the side
// panel sits below the conversation.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";
import { Ticketer, buildBinary, mime, sendMail, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page;

before(async () => {
  const bin = buildBinary(join(tmpdir(), `ticketer-e2e-phone-${process.pid}`));
  app = await new Ticketer(bin).start();
  app.cli(["user", "add", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin", "--password-stdin"], PASSWORD + "\n");
  app.cli(["mailbox", "add", "--name", "Help", "--address", "help@example.com"]);
  await app.serve();
  const longWord = "Supercalifragilisticexpialidocious".repeat(4);
  for (const [i, subject, text] of [
    [1, "The printer on the third floor prints only blank pages since Monday morning", "Hello,\n\nit prints nothing. " + longWord + "\n\nCarol"],
    [2, "Invoice 2026-0042 is wrong", "The amount is wrong."],
  ]) {
    await sendMail(app.smtpPort, {
      from: "carol@example.org",
      to: "help@example.com",
      data: mime({ from: "Carol Customer <carol.customer.with.a.long.address@example.org>", to: "help@example.com", subject, messageId: `phone-${i}-${Date.now()}@example.org`, text }),
    });
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
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
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
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
