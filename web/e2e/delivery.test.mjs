// A reply that cannot be delivered, in a real browser against the real
// binary: the mailbox's relay refuses connections. The reply is "Retrying"
// with the relay's error and the next attempt time, never "Queued"; the
// queue marks the ticket; its columns sort on click.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ticketer, buildBinary, freePort, launchChromium, sendMail, signIn, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, context, page;
const consoleErrors = [];

before(async () => {
  const bin = buildBinary(join(tmpdir(), `ticketer-e2e-delivery-${process.pid}`));
  app = await new Ticketer(bin).start();
  app.cli(["user", "add", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin", "--password-stdin"], PASSWORD + "\n");
  const dead = await freePort(); // nothing listens: every connection is refused
  app.cli(["mailbox", "add", "--name", "Help", "--address", "help@example.com", "--smtp-relay", `smtp://127.0.0.1:${dead}`]);
  await app.serve();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const mail = (n, subject) =>
  `From: Carol <carol@example.org>\r\nTo: help@example.com\r\nSubject: ${subject}\r\nMessage-ID: <d${n}@example.org>\r\n` +
  `Date: Mon, 2 Nov 2026 09:0${n}:00 +0000\r\n\r\nPlease help (${n}).\r\n`;

test("a reply the relay refuses is Retrying, with the error and the next attempt", async () => {
  await sendMail(app.smtpPort, { from: "carol@example.org", to: "help@example.com", data: mail(1, "Alpha printer") });
  await sendMail(app.smtpPort, { from: "carol@example.org", to: "help@example.com", data: mail(2, "Bravo scanner") });
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/(mine|unassigned)$/);
  await page.goto(`${app.url}/queue/all`);
  await page.getByRole("link", { name: "Alpha printer" }).click();
  await page.getByPlaceholder("Write a reply…").fill("We are on it.");
  await page.getByRole("button", { name: "Send reply" }).click();
  const reply = page.getByRole("article", { name: /Reply from Ada Admin/ });
  await reply.waitFor();
  // The first attempt fails at once (connection refused): Retrying, never Queued.
  await reply.locator(".badge.delivery-retrying").waitFor({ timeout: 30_000 });
  const banner = reply.getByRole("status");
  assert.match(await banner.textContent(), /Not delivered yet: .*connection refused.*Next attempt/);
  assert.ok(await banner.locator("time[datetime]").count(), "the next attempt time is shown");
  assert.equal(await reply.getByRole("button", { name: "Retry" }).count(), 0, "no Retry while it retries by itself");
  await page.screenshot({ path: join(shots, "delivery-01-retrying.png") });
});

test("the queue marks the ticket and sorts by a column on click", async () => {
  await page.goto(`${app.url}/queue/all`);
  const alpha = page.getByRole("row", { name: /Alpha printer/ });
  await alpha.getByText("Not delivered").waitFor();
  assert.equal(await page.getByRole("row", { name: /Bravo scanner/ }).getByText("Not delivered").count(), 0);
  await page.getByRole("button", { name: "Subject" }).click();
  await page.waitForURL(/sort=subject/);
  const subjects = async () => (await page.locator("tbody td.subject a.subject-link").allTextContents()).map((s) => s.trim());
  await page.waitForFunction(() => document.querySelector("th[aria-sort=ascending]")?.textContent?.startsWith("Subject"));
  assert.deepEqual(await subjects(), ["Alpha printer", "Bravo scanner"]);
  await page.getByRole("button", { name: "Subject" }).click();
  await page.waitForURL(/sort=-subject/);
  await waitForOrder(subjects, ["Bravo scanner", "Alpha printer"]);
  await page.screenshot({ path: join(shots, "delivery-02-queue-sorted.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByText("Not delivered").first().waitFor();
  await page.screenshot({ path: join(shots, "delivery-03-queue-phone.png") });
  assert.deepEqual(consoleErrors, []);
});

async function waitForOrder(get, want) {
  const deadline = Date.now() + 10_000;
  let got;
  while (Date.now() < deadline) {
    got = await get();
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(got, want);
}
