// Teams and automatic assignment in a real browser against the real binary:
// an admin creates a team on the Teams page, edits its cap, the Help
// mailbox routes to it, two new conversations go to its two agents in
// turn; the ticket shows its team and why it was assigned; the queue
// filters by team; the agent goes away (the Teams page marks her) and back;
// a team is deleted.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, mime, sendMail, showsValue, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, token;
const consoleErrors = [];

before(async () => {
  app = await startWithAdmin("teams", PASSWORD);
  app.cli(["user", "add", "--email", "bob@example.com", "--name", "Bob Agent", "--role", "agent", "--password-stdin"], PASSWORD + "\n");
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("dialog", (d) => void d.accept());
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = async (name) => {
  await page.screenshot({ path: join(shots, `teams-${name}-1280.png`) });
  const vp = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, `teams-${name}-390.png`) });
  await page.setViewportSize(vp);
};

async function api(method, path, body) {
  const r = await fetch(`${app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

async function customerMail(from, subject, messageId, text) {
  await sendMail(app.smtpPort, { from, to: "help@example.com", data: mime({ from, to: "help@example.com", subject, messageId, text }) });
  return waitFor(async () => (await api("GET", `/api/v1/tickets?q=${encodeURIComponent(text.split(" ")[0])}`)).items[0], { what: `ticket with ${text}` });
}

let billing;

test("an admin creates a team on the Teams page and edits its cap", async () => {
  await page.getByRole("link", { name: "Teams" }).click();
  await page.waitForURL(/\/admin\/teams$/);
  const form = page.getByRole("form", { name: "Add a team" });
  await form.getByLabel("Name").fill("Billing");
  await form.getByLabel("Assignment").selectOption("round_robin");
  await form.getByLabel("Ada Admin").check();
  await form.getByLabel("Bob Agent").check();
  await form.getByRole("button", { name: "Add team" }).click();
  const team = page.getByRole("form", { name: "Team Billing" });
  await team.waitFor();
  billing = (await api("GET", "/api/v1/teams")).items.find((t) => t.name === "Billing");
  assert.equal(billing.assignment, "round_robin");
  assert.equal(billing.member_ids.length, 2);
  await team.getByLabel("Most open tickets per agent").fill("5");
  await team.getByRole("button", { name: "Save" }).click();
  await team.getByRole("status").filter({ hasText: "Saved" }).waitFor();
  assert.equal((await api("GET", "/api/v1/teams")).items[0].max_open_per_agent, 5);
  await shot("01-teams-page");
});

test("the mailbox's new tickets go to the team's agents in turn", async () => {
  const mb = (await api("GET", "/api/v1/mailboxes")).items[0];
  await api("PATCH", `/api/v1/mailboxes/${mb.id}`, { team_id: billing.id });
  const first = await customerMail("carol@customer.test", "Invoice twice", "<inv1@customer.test>", "duplicateinvoice please refund");
  const second = await customerMail("dan@customer.test", "VAT number", "<vat1@customer.test>", "vatnumber missing on invoice");
  const a = await waitFor(async () => (await api("GET", `/api/v1/tickets/${first.id}`)).assignee, { what: "first assignee" });
  const b = await waitFor(async () => (await api("GET", `/api/v1/tickets/${second.id}`)).assignee, { what: "second assignee" });
  assert.equal(first.team.name, "Billing");
  assert.deepEqual([a.email, b.email].sort(), ["ada@example.com", "bob@example.com"]);

  await page.goto(`${app.url}/tickets/${first.id}`);
  const side = page.getByRole("complementary", { name: "Ticket details" });
  await showsValue(side.getByLabel("Team"), String(billing.id), "the ticket's team");
  await side.getByText(/assigned the ticket by round robin/).first().waitFor();
  await shot("02-ticket-team");
});

test("the queue filters by team", async () => {
  await page.goto(`${app.url}/queue/open`);
  await page.getByLabel("Team").selectOption(String(billing.id));
  await page.waitForURL(/team=/);
  await page.getByRole("link", { name: /Invoice twice/ }).first().waitFor();
  await shot("03-queue-team-filter");
});

test("an agent goes away and back", async () => {
  const toggle = page.getByRole("button", { name: "Available" });
  await toggle.click();
  await page.getByRole("button", { name: "Away" }).waitFor();
  assert.equal((await api("GET", "/api/v1/me")).available, false);
  await shot("04-away");
  // The Teams page marks her away in her team.
  await page.goto(`${app.url}/admin/teams`);
  const team = page.getByRole("form", { name: "Team Billing" });
  await team.getByText("1 of 2 members away").waitFor();
  assert.equal(await team.locator(".team-member", { hasText: "Ada Admin" }).locator(".away").textContent(), "Away");
  assert.equal(await team.locator(".team-member", { hasText: "Bob Agent" }).locator(".away").count(), 0);
  await team.scrollIntoViewIfNeeded();
  await shot("05-teams-away");
  const vp = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await team.locator(".team-members").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "teams-06-away-members-390.png") });
  await page.setViewportSize(vp);
  await page.getByRole("button", { name: "Away" }).click();
  await page.getByRole("button", { name: "Available" }).waitFor();
  assert.equal((await api("GET", "/api/v1/me")).available, true);
});

test("an admin deletes a team", async () => {
  await api("POST", "/api/v1/teams", { name: "Temporary" });
  await page.goto(`${app.url}/admin/teams`);
  const temp = page.getByRole("form", { name: "Team Temporary" });
  await temp.getByRole("button", { name: "Delete" }).click();
  await temp.waitFor({ state: "detached" });
  assert.deepEqual((await api("GET", "/api/v1/teams")).items.map((t) => t.name), ["Billing"]);
  assert.deepEqual(consoleErrors, []);
});
