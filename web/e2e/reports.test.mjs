// The Reports page against the real binary, with real data: mail sent to
// the SMTP listener, replies delivered to the outbox, a solve, a solve then
// a re-open, a tag. The page draws its two charts (the canvases hold
// pixels) and its table shows exactly the figures the tickets' own
// timestamps give; the mailbox and tag filters and the CSV link follow.
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

const mail = (n, to, subject) =>
  sendMail(app.smtpPort, {
    from: `customer${n}@example.org`,
    to,
    data: `From: Customer ${n} <customer${n}@example.org>\nTo: ${to}\nSubject: ${subject}\nMessage-ID: <reports-${n}@example.org>\nDate: ${new Date().toUTCString()}\n\nHello (${n}).\n`,
  });

// The report's whole seconds: each moment truncated to its second.
const secs = (from, to) => Math.floor(Date.parse(to) / 1000) - Math.floor(Date.parse(from) / 1000);
// Nearest rank: the value at rank ceil(p*n/100) of the sorted values.
const rank = (values, p) => [...values].sort((a, b) => a - b)[Math.ceil((p * values.length) / 100) - 1];
const exact = (s) => {
  const d = Math.floor(s / 86400);
  const r = s - d * 86400;
  const two = (n) => String(n).padStart(2, "0");
  return `${d > 0 ? `${d} d ` : ""}${Math.floor(r / 3600)}:${two(Math.floor((r % 3600) / 60))}:${two(r % 60)}`;
};

let tickets; // by subject, as the API gives them at the end
before(async () => {
  app = await startWithAdmin("reports", PASSWORD);
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  await api("POST", "/api/v1/mailboxes", { name: "Sales", address: "sales@example.com" });
  await mail(1, "help@example.com", "Alpha printer");
  await mail(2, "help@example.com", "Bravo scanner");
  await mail(3, "help@example.com", "Charlie badge");
  await mail(4, "sales@example.com", "Delta quote");
  const list = async () => (await api("GET", "/api/v1/tickets?limit=50")).items;
  await waitFor(async () => (await list()).length === 4, { what: "4 tickets", timeout: 30_000 });
  const by = Object.fromEntries((await list()).map((t) => [t.subject, t]));
  await api("POST", `/api/v1/tickets/${by["Alpha printer"].id}/replies`, { body: "Fixed." });
  await api("POST", `/api/v1/tickets/${by["Bravo scanner"].id}/replies`, { body: "Looking." });
  await waitFor(async () => (await list()).filter((t) => t.first_response_at).length === 2, { what: "2 delivered replies", timeout: 30_000 });
  await api("PATCH", `/api/v1/tickets/${by["Alpha printer"].id}`, { status: "solved" });
  await api("PATCH", `/api/v1/tickets/${by["Bravo scanner"].id}`, { status: "solved" });
  await api("PATCH", `/api/v1/tickets/${by["Bravo scanner"].id}`, { status: "open" });
  await api("PATCH", `/api/v1/tickets/${by["Charlie badge"].id}`, { tags: ["vip"] });
  tickets = Object.fromEntries((await list()).map((t) => [t.subject, t]));
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const today = () => tickets["Alpha printer"].created_at.slice(0, 10);
const cells = async (p, key) => (await p.locator(`tr[data-key="${key}"] td`).allTextContents()).map((s) => s.trim());
// Whether a canvas has any painted pixel.
const painted = (p, name) =>
  p.getByRole("region", { name }).locator("canvas").evaluate((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return c.width > 0 && c.height > 0;
    return false;
  });

test("the Reports page draws both charts and its table has the exact figures", async () => {
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
  await page.getByRole("link", { name: "Reports" }).click();
  await page.getByRole("heading", { name: "Reports" }).waitFor();
  await page.locator(`tr[data-key="${today()}"]`).waitFor();
  await waitFor(async () => (await painted(page, "Volume")) && (await painted(page, "Response times")), { what: "both charts painted" });

  const a = tickets["Alpha printer"];
  const b = tickets["Bravo scanner"];
  const firsts = [secs(a.created_at, a.first_response_at), secs(b.created_at, b.first_response_at)];
  const resolution = secs(a.created_at, a.solved_at);
  assert.equal(b.solved_at, null, "the re-opened ticket is not solved");
  const want = ["4", "1", "1", exact(rank(firsts, 50)), exact(rank(firsts, 90)), exact(resolution), exact(resolution), "–", "0"];
  assert.deepEqual(await cells(page, today()), want);
  // The exact seconds are in each cell's title.
  assert.equal(await page.locator(`tr[data-key="${today()}"] td`).nth(3).getAttribute("title"), `${rank(firsts, 50)} s`);
  await page.screenshot({ path: join(shots, "reports-01-desktop.png") });

  // The CSV link answers the same rows.
  const href = await page.getByRole("link", { name: "Download CSV" }).getAttribute("href");
  assert.match(href, /format=csv/);
  const csv = await page.evaluate(async (u) => (await fetch(u)).text(), href);
  const line = csv.split("\n").find((l) => l.startsWith(today()));
  // The four business-seconds columns last, empty without business hours.
  assert.equal(line, [today(), 4, 1, 1, rank(firsts, 50), rank(firsts, 90), resolution, resolution, 0, "", "", "", "", ""].join(","));
});

test("the mailbox and tag filters and the grouping change the figures", async () => {
  await page.getByLabel("Mailbox", { exact: true }).selectOption({ label: "Sales" });
  await waitFor(async () => (await cells(page, today()))[0] === "1", { what: "Sales: one ticket created" });
  assert.deepEqual(await cells(page, today()), ["1", "0", "0", "–", "–", "–", "–", "–", "0"]);
  await page.getByLabel("Mailbox", { exact: true }).selectOption({ label: "All mailboxes" });
  await page.getByLabel("Tag", { exact: true }).fill("vip");
  await waitFor(async () => (await cells(page, today()))[0] === "1", { what: "vip: one ticket created" });
  await page.getByLabel("Tag", { exact: true }).fill("");
  await page.getByLabel("Table by").selectOption("mailbox");
  await page.locator('tr[data-key="sales@example.com"]').waitFor();
  assert.deepEqual((await cells(page, "help@example.com")).slice(0, 3), ["3", "1", "1"]);
  assert.deepEqual((await cells(page, "sales@example.com")).slice(0, 3), ["1", "0", "0"]);
  await page.screenshot({ path: join(shots, "reports-02-by-mailbox.png"), fullPage: true });
});

test("on a phone the page stacks its charts and the table scrolls", async () => {
  await phone.goto(`${app.url}/signin`);
  await signIn(phone, "ada@example.com", PASSWORD);
  await phone.waitForURL(/\/queue\//);
  await phone.goto(`${app.url}/reports`);
  await phone.locator(`tr[data-key="${today()}"]`).waitFor();
  await waitFor(async () => await painted(phone, "Volume"), { what: "the volume chart painted" });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await phone.screenshot({ path: join(shots, "reports-03-phone.png") });
  await phone.getByRole("region", { name: "Response times" }).scrollIntoViewIfNeeded();
  await phone.screenshot({ path: join(shots, "reports-04-phone-times.png") });
  assert.deepEqual(consoleErrors, []);
});

test("once business hours exist the table shows the business columns", async () => {
  await api("POST", "/api/v1/business-hours", {
    name: "Office",
    timezone: "UTC",
    week: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })),
  });
  await page.goto(`${app.url}/reports`);
  await page.locator(`tr[data-key="${today()}"]`).waitFor();
  const heads = (await page.locator("table.report-table thead th").allTextContents()).map((s) => s.trim());
  assert.deepEqual(heads.filter((h) => h.endsWith("(business)")), [
    "First response p50 (business)",
    "First response p90 (business)",
    "Resolution p50 (business)",
    "Resolution p90 (business)",
  ]);
  // No ticket has an SLA policy: each works around the clock, its business
  // seconds are its calendar seconds.
  const row = await cells(page, today());
  assert.equal(row.length, 13);
  assert.deepEqual(row.slice(7, 11), row.slice(3, 7));
  await page.screenshot({ path: join(shots, "reports-05-business.png") });
  await phone.goto(`${app.url}/reports`);
  await phone.locator(`tr[data-key="${today()}"]`).waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await phone.screenshot({ path: join(shots, "reports-06-business-phone.png") });
});
