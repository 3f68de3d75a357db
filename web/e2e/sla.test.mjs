// SLA in a real browser against the real binary: an admin creates business
// hours and two policies on the SLA page (the conditions with the rule form
// builder); a mail arrives; the queue shows its countdown badge (amber:
// under an hour), sorts by due time, and the ticket's side panel shows its
// due times.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, mime, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, token;
const consoleErrors = [];

before(async () => {
  app = await startWithAdmin("sla", PASSWORD);
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
  await page.screenshot({ path: join(shots, `sla-${name}-1280.png`) });
  const vp = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, `sla-${name}-390.png`) });
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

test("an admin creates business hours and policies on the SLA page", async () => {
  await page.getByRole("link", { name: "SLA" }).click();
  await page.waitForURL(/\/admin\/sla$/);
  const hours = page.getByRole("form", { name: "Add business hours" });
  await hours.getByLabel("Name").fill("Always");
  await hours.getByLabel("Time zone").fill("UTC");
  for (const day of ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]) {
    await hours.getByLabel(`${day} is a working day`).check();
    await hours.getByLabel(`${day} from`).fill("00:00");
    await hours.getByLabel(`${day} to`).fill("24:00");
  }
  await hours.getByLabel("Holidays").fill("2001-01-01");
  await hours.getByRole("button", { name: "Add business hours" }).click();
  await page.getByRole("form", { name: "Business hours Always" }).waitFor();
  const bh = (await api("GET", "/api/v1/business-hours")).items[0];
  assert.equal(bh.week.length, 7);
  assert.equal(bh.week[0].end, "24:00");

  const add = page.getByRole("form", { name: "Add an SLA policy" });
  await add.getByLabel("Name").fill("Urgent");
  await add.getByLabel("Business hours").selectOption({ label: "Always (UTC)" });
  await add.getByRole("button", { name: "Add condition" }).click();
  await add.getByLabel("Condition 1 field").selectOption("subject");
  await add.getByLabel("Condition 1 operator").selectOption("contains");
  await add.getByLabel("Condition 1 value").fill("urgent");
  await add.getByLabel("First response (working minutes)").fill("45");
  await add.getByLabel("Resolution (working minutes)").fill("480");
  await add.getByRole("button", { name: "Add policy" }).click();
  await page.getByRole("form", { name: "SLA policy Urgent" }).waitFor();

  await add.getByLabel("Name").fill("Everyone");
  await add.getByLabel("First response (working minutes)").fill("600");
  await add.getByRole("button", { name: "Add policy" }).click();
  await page.getByRole("form", { name: "SLA policy Everyone" }).waitFor();
  const policies = (await api("GET", "/api/v1/sla-policies")).items;
  assert.deepEqual(policies.map((p) => p.name), ["Urgent", "Everyone"]);
  assert.equal(policies[0].business_hours_id, bh.id);
  assert.deepEqual(policies[0].conditions, [{ field: "subject", op: "contains", value: "urgent" }]);
  await shot("01-admin");
});

test("a mail arrives: the queue shows its countdown and sorts by due time; the ticket shows its due times", async () => {
  const calm = await customerMail("carl@customer.test", "A question", "<calm@customer.test>", "calmly asking");
  const urgent = await customerMail("una@customer.test", "URGENT printer down", "<urgent@customer.test>", "urgently down");
  assert.equal(urgent.sla.policy, "Urgent");
  assert.equal(calm.sla.policy, "Everyone");
  await page.goto(`${app.url}/queue/all`);
  await page.getByRole("button", { name: "Due" }).click();
  await page.waitForURL(/sort=due/);
  const rows = page.locator("table.queue tbody tr");
  await waitFor(async () => (await rows.count()) === 2 && (await rows.first().textContent()).includes("URGENT"), { what: "the urgent ticket first" });
  const badge = rows.first().locator(".sla-due");
  await badge.waitFor();
  assert.match(await badge.getAttribute("class"), /sla-soon/);
  assert.match(await badge.textContent(), /^4[0-5]m$/);
  assert.match(await rows.nth(1).locator(".sla-due").getAttribute("class"), /sla-ok/);
  await shot("02-queue");

  await rows.first().getByRole("link", { name: /URGENT/ }).click();
  await page.waitForURL(new RegExp(`/tickets/${urgent.id}$`));
  const panel = page.getByLabel("SLA", { exact: true });
  await panel.getByText("SLA · Urgent").waitFor();
  await panel.getByText("First response").waitFor();
  await panel.getByText("Resolution").waitFor();
  assert.match(await panel.textContent(), /due in/);
  await shot("03-ticket");
  assert.deepEqual(consoleErrors, []);
});
