// The contact page, reached from a ticket's requester panel: the panel
// names the requester's organisation (grouped by email domain) and counts
// their other open tickets; the page lists every ticket of theirs and keeps
// notes about them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ticketer, buildBinary, launchChromium, sendMail, signIn, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, context, page, token;
const consoleErrors = [];

before(async () => {
  const bin = buildBinary(join(tmpdir(), `ticketer-e2e-contacts-${process.pid}`));
  app = await new Ticketer(bin).start();
  app.cli(["user", "add", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin", "--password-stdin"], PASSWORD + "\n");
  app.cli(["mailbox", "add", "--name", "Help", "--address", "help@example.com"]);
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
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
  `From: Carol Customer <carol@acme-corp.test>\r\nTo: help@example.com\r\nSubject: ${subject}\r\nMessage-ID: <c${n}@acme-corp.test>\r\n` +
  `Date: Mon, 2 Nov 2026 09:0${n}:00 +0000\r\n\r\nPlease help (${n}).\r\n`;

test("from the requester panel to the contact page, with organisation, tickets and notes", async () => {
  await sendMail(app.smtpPort, { from: "carol@acme-corp.test", to: "help@example.com", data: mail(1, "Invoice missing CT-1") });
  await sendMail(app.smtpPort, { from: "carol@acme-corp.test", to: "help@example.com", data: mail(2, "Login broken CT-2") });
  const res = await fetch(`${app.url}/api/v1/organisations`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "Acme Corp", domains: ["acme-corp.test"] }),
  });
  assert.equal(res.status, 201);
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/(mine|unassigned)$/);
  await page.goto(`${app.url}/queue/all`);
  await page.getByRole("link", { name: "Invoice missing CT-1" }).click();
  const other = page.getByTestId("requester-other-open");
  await other.getByText("1 other open ticket").waitFor();
  await page.locator(".side").getByText("Acme Corp").waitFor();
  await page.screenshot({ path: join(shots, "contacts-01-panel.png") });
  await page.locator(".side").getByRole("link", { name: "Carol Customer" }).click();
  await page.waitForURL(/\/contacts\/\d+$/);
  await page.getByRole("heading", { name: "Carol Customer" }).waitFor();
  const tickets = page.getByRole("region", { name: "Tickets" });
  await tickets.getByRole("link", { name: /Invoice missing CT-1/ }).waitFor();
  await tickets.getByRole("link", { name: /Login broken CT-2/ }).waitFor();
  await page.getByTestId("contact-organisation").getByText("Acme Corp").waitFor();
  await page.getByLabel("Notes about this person").fill("Prefers phone calls.");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Carol Customer" }).waitFor();
  await page.waitForFunction(() => document.querySelector("textarea")?.value === "Prefers phone calls.");
  await page.screenshot({ path: join(shots, "contacts-02-page.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  await tickets.getByRole("link", { name: /Login broken CT-2/ }).waitFor();
  await page.screenshot({ path: join(shots, "contacts-03-phone.png"), fullPage: true });
  assert.deepEqual(consoleErrors, []);
});
