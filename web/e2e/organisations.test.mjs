// Organisations in the UI: a customer at a company domain writes in; an
// agent creates the organisation for that domain (a free-mail domain is
// refused next to the field), sees the customer's ticket on the
// organisation's page, edits it, reaches it from the contact page, and
// deletes it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ticketer, buildBinary, launchChromium, sendMail, signIn, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, context, page;
const consoleErrors = [];

before(async () => {
  const bin = buildBinary(join(tmpdir(), `ticketer-e2e-orgs-${process.pid}`));
  app = await new Ticketer(bin).start();
  app.cli(["user", "add", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin", "--password-stdin"], PASSWORD + "\n");
  app.cli(["mailbox", "add", "--name", "Help", "--address", "help@example.com"]);
  await app.serve();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("console", (m) => {
    // The refused free-mail domain is a 422 the page shows; the browser logs the failed request too.
    if (m.type() === "error" && !/status of 422/.test(m.text())) consoleErrors.push(m.text());
  });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const mail =
  `From: Dave Doe <dave@globex-inc.test>\r\nTo: help@example.com\r\nSubject: Shipment late OR-1\r\nMessage-ID: <or1@globex-inc.test>\r\n` +
  `Date: Mon, 2 Nov 2026 09:00:00 +0000\r\n\r\nWhere is our order?\r\n`;

test("create an organisation for a domain, see its tickets, edit it, reach it from the contact, delete it", async () => {
  await sendMail(app.smtpPort, { from: "dave@globex-inc.test", to: "help@example.com", data: mail });
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/(mine|unassigned)$/);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Organisations" }).click();
  await page.waitForURL(/\/organisations$/);
  await page.getByText("No organisations yet").waitFor();

  // A free-mail domain among them: refused, the message under the domains field.
  const form = page.getByRole("form", { name: "New organisation" });
  await form.getByLabel("Name").fill("Globex");
  await form.getByLabel("Email domains").fill("globex-inc.test, gmail.com");
  await form.getByRole("button", { name: "Add organisation" }).click();
  const domains = form.getByLabel("Email domains");
  await form.getByText("gmail.com is a free-mail domain").waitFor();
  assert.equal(await domains.getAttribute("aria-invalid"), "true");
  assert.match(await domains.evaluate((el) => document.getElementById(el.getAttribute("aria-describedby")).textContent), /gmail\.com is a free-mail domain/);
  await page.screenshot({ path: join(shots, "organisations-01-refused.png") });

  await domains.fill("@Globex-Inc.test");
  await form.getByRole("button", { name: "Add organisation" }).click();
  const list = page.getByRole("region", { name: "Organisations" });
  await list.getByRole("link", { name: "Globex" }).waitFor();
  await list.getByText("globex-inc.test").waitFor();
  assert.equal(await form.getByLabel("Name").inputValue(), "");
  await page.screenshot({ path: join(shots, "organisations-02-list.png") });

  // Its page lists the customer's ticket.
  await list.getByRole("link", { name: "Globex" }).click();
  await page.waitForURL(/\/organisations\/\d+$/);
  const orgURL = page.url();
  await page.getByRole("heading", { name: "Globex" }).waitFor();
  const tickets = page.getByRole("region", { name: "Tickets" });
  await tickets.getByRole("link", { name: /Shipment late OR-1/ }).waitFor();

  // Edit: a new name, a second domain, notes; kept after a reload.
  const edit = page.getByRole("form", { name: "Organisation" });
  await edit.getByLabel("Name").fill("Globex Corporation");
  await edit.getByLabel("Email domains").fill("globex-inc.test globex.test");
  await edit.getByLabel("Notes").fill("Key account.");
  await edit.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  await page.getByRole("heading", { name: "Globex Corporation" }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Globex Corporation" }).waitFor();
  await page.waitForFunction(() => document.querySelector("textarea")?.value === "Key account.");
  assert.equal(await edit.getByLabel("Email domains").inputValue(), "globex-inc.test, globex.test");
  await tickets.getByRole("link", { name: /Shipment late OR-1/ }).waitFor();

  // A free-mail domain on edit is refused the same way, and nothing is saved.
  await edit.getByLabel("Email domains").fill("globex.test outlook.com");
  await edit.getByRole("button", { name: "Save" }).click();
  await edit.getByText("outlook.com is a free-mail domain").waitFor();
  await page.screenshot({ path: join(shots, "organisations-03-page.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  await tickets.getByRole("link", { name: /Shipment late OR-1/ }).waitFor();
  await page.screenshot({ path: join(shots, "organisations-04-phone.png"), fullPage: true });
  await page.goto(`${app.url}/organisations`);
  await page.getByRole("region", { name: "Organisations" }).getByRole("link", { name: "Globex Corporation" }).waitFor();
  await page.screenshot({ path: join(shots, "organisations-05-phone-list.png"), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // The ticket's requester -> the contact page -> its organisation's page.
  await page.goto(orgURL);
  await tickets.getByRole("link", { name: /Shipment late OR-1/ }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.locator(".side").getByRole("link", { name: "Dave Doe" }).click();
  await page.waitForURL(/\/contacts\/\d+$/);
  await page.getByTestId("contact-organisation").getByRole("link", { name: "Globex Corporation" }).click();
  await page.waitForURL(orgURL);
  await page.getByRole("heading", { name: "Globex Corporation" }).waitFor();

  // Delete, after the confirmation: back on the list, which is empty.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("form", { name: "Organisation" }).getByRole("button", { name: "Delete" }).click();
  await page.waitForURL(/\/organisations$/);
  await page.getByText("No organisations yet").waitFor();
  const res = await page.request.get(orgURL.replace("/organisations/", "/api/v1/organisations/"));
  assert.equal(res.status(), 404);
  assert.deepEqual(consoleErrors, []);
});
