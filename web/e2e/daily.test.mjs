// The team's daily work (issue 12) in a real browser against the real
// binary: the landing view and the sidebar's live counts, a reply from a
// macro (its actions applied), a bulk close of 50 tickets, and a note's
// draft surviving a reload. Screenshots at 1280x800 and 390x844.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, phone, token;
const consoleErrors = [];

const mail = (n, subject = `Order ${n} is late`) =>
  sendMail(app.smtpPort, {
    from: `customer${n}@example.org`,
    to: "help@example.com",
    data: `From: Cleo Customer${n} <customer${n}@example.org>\nTo: help@example.com\nSubject: ${subject}\nMessage-ID: <daily-${n}@example.org>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\n\nWhere is order ${n}?\n`,
  });

async function api(method, path, body) {
  const r = await fetch(`${app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const ticketsOf = async (query) => (await api("GET", `/api/v1/tickets?limit=200&${query}`)).items;
const count = (key) => page.getByTestId(`count-${key}`);

before(async () => {
  app = await startWithAdmin("daily", PASSWORD);
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  for (let n = 1; n <= 50; n++) await mail(n);
  await waitFor(async () => (await ticketsOf("status=new")).length === 50, { what: "50 tickets", timeout: 60_000 });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (p, name) => p.screenshot({ path: join(shots, `daily-${name}.png`) });

test("an agent holding no ticket lands on Unassigned; the counts follow new mail live", async () => {
  await page.goto(`${app.url}/`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/unassigned$/);
  await page.getByRole("heading", { name: "Unassigned" }).waitFor();
  await waitFor(async () => (await count("unassigned").textContent()) === "50", { what: "unassigned count 50" });
  assert.equal(await count("mine").textContent(), "0");
  assert.equal(await count("status:new").textContent(), "50");
  await page.getByTestId("live-mode").filter({ hasText: "Live" }).waitFor();
  await mail(51, "Printer on fire");
  await waitFor(async () => (await count("unassigned").textContent()) === "51", { what: "the count to follow the new mail" });
  await shot(page, "01-landing-counts-1280");
});

test("with a ticket of her own she lands on Mine", async () => {
  const [fire] = await ticketsOf("q=printer");
  await api("PATCH", `/api/v1/tickets/${fire.id}`, { assignee_id: 1, status: "open" });
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin/);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/mine$/);
  await page.getByRole("link", { name: "Printer on fire" }).waitFor();
  // The counts are a query of their own: they may land after the list.
  await waitFor(async () => (await count("mine").textContent()) === "1", { what: "mine count 1" });
  // Signing out answers the queries still in flight with 401: expected here.
  consoleErrors.length = 0;
});

test("a macro picked with / fills the reply; sending applies its actions", async () => {
  await api("POST", "/api/v1/macros", {
    name: "Refund issued",
    shared: true,
    body: "Hello {{requester.first_name}},\n\nwe refunded ticket #{{ticket.id}}.\n\n{{agent.name}}",
    actions: { status: "pending", tags_add: ["refund"] },
  });
  await page.getByRole("link", { name: "Printer on fire" }).click();
  const box = page.getByPlaceholder(/Write a reply/);
  await box.click();
  await box.pressSequentially("/ref");
  await page.getByRole("option", { name: /Refund issued/ }).waitFor();
  await shot(page, "02-macro-picker-1280");
  await box.press("Enter");
  const text = await box.inputValue();
  assert.match(text, /^Hello Cleo,\n\nwe refunded ticket #\d+\.\n\nAda Admin$/);
  await page.getByTestId("macro-applied").filter({ hasText: "status pending, +refund" }).waitFor();
  await page.getByRole("button", { name: "Send reply" }).click();
  await page.getByRole("status").filter({ hasText: "Reply queued" }).waitFor();
  const [fire] = await ticketsOf("q=printer");
  assert.equal(fire.status, "pending");
  assert.deepEqual(fire.tags, ["refund"]);
});

test("a note being written survives a reload", async () => {
  await page.getByRole("tab", { name: "Internal note" }).click();
  await page.getByPlaceholder(/Write a note/).fill("Called the customer, waiting on the courier");
  await page.reload();
  await page.getByRole("tab", { name: "Internal note", selected: true }).waitFor();
  assert.equal(await page.getByPlaceholder(/Write a note/).inputValue(), "Called the customer, waiting on the courier");
});

test("a bulk close of 50: select all, move to a team, solve, then close", async () => {
  await api("POST", "/api/v1/teams", { name: "Billing", member_ids: [], assignment: "manual" });
  await page.goto(`${app.url}/queue/status/new`);
  await page.getByRole("heading", { name: "New" }).waitFor();
  await waitFor(async () => (await page.locator("table.queue tbody tr").count()) === 50, { what: "50 rows" });
  // Click, shift-click, x: three ways to pick rows.
  const rows = page.locator("table.queue tbody tr");
  await rows.nth(0).getByRole("checkbox").click();
  await rows.nth(3).getByRole("checkbox").click({ modifiers: ["Shift"] });
  assert.equal(await page.getByTestId("bulk-count").textContent(), "4 selected");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await page.keyboard.press("x");
  assert.equal(await page.getByTestId("bulk-count").textContent(), "5 selected");
  await page.getByRole("checkbox", { name: "Select all tickets shown" }).check();
  assert.equal(await page.getByTestId("bulk-count").textContent(), "50 selected");
  await shot(page, "03-bulk-selected-1280");
  await page.getByRole("combobox", { name: "Set team" }).selectOption({ label: "Billing" });
  await waitFor(async () => (await ticketsOf("status=new")).filter((t) => t.team?.name === "Billing").length === 50, { what: "50 tickets in Billing" });
  assert.equal(await page.getByTestId("bulk-count").textContent(), "50 selected", "the selection stays for the next change");
  await page.getByRole("combobox", { name: "Set status" }).selectOption("solved");
  await page.getByRole("status").filter({ hasText: "50 tickets changed" }).waitFor();
  await page.getByText("All clear").waitFor();
  await waitFor(async () => (await count("status:solved").textContent()) === "50", { what: "50 solved" });

  await page.getByRole("link", { name: "Solved" }).click();
  await waitFor(async () => (await page.locator("table.queue tbody tr").count()) === 50, { what: "50 solved rows" });
  await page.getByRole("checkbox", { name: "Select all tickets shown" }).check();
  await page.getByRole("combobox", { name: "Set status" }).selectOption("closed");
  await page.getByRole("status").filter({ hasText: "50 tickets changed" }).waitFor();
  await waitFor(async () => (await count("status:closed").textContent()) === "50", { what: "50 closed" });
  assert.equal((await ticketsOf("status=closed")).length, 50);
  const events = (await api("GET", `/api/v1/tickets/${(await ticketsOf("status=closed"))[0].id}/events`)).items.map((e) => e.kind);
  assert.deepEqual(events.filter((k) => k === "status_changed").length, 2);
  assert.deepEqual(events.filter((k) => k === "team_changed").length, 1);
  await shot(page, "04-bulk-closed-1280");
});

test("a saved view appears in the sidebar with its count", async () => {
  await page.goto(`${app.url}/queue/status/closed`);
  await page.getByRole("button", { name: "Save view" }).click();
  await page.getByLabel("View name").fill("Closed this week");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForURL(/\/queue\/view\/\d+$/);
  await page.getByRole("heading", { name: "Closed this week" }).waitFor();
  const id = page.url().split("/").pop();
  await waitFor(async () => (await count(`view:${id}`).textContent()) === "50", { what: "the saved view's count" });
});

test("phone: the queue with a selection, the drawer with counts", async () => {
  await phone.goto(`${app.url}/signin`);
  await signIn(phone, "ada@example.com", PASSWORD);
  await phone.waitForURL(/\/queue\/mine$/);
  await phone.goto(`${app.url}/queue/open`);
  await phone.getByRole("link", { name: "Printer on fire" }).waitFor();
  await phone.locator("table.queue tbody tr").first().getByRole("checkbox").click();
  await phone.getByTestId("bulk-count").waitFor();
  await shot(phone, "05-bulk-390");
  await phone.getByRole("button", { name: "Menu" }).click();
  await phone.getByTestId("count-open").waitFor();
  await shot(phone, "06-drawer-counts-390");
  assert.deepEqual(consoleErrors, []);
});
