// Automation rules (issue 13) in a real browser against the real binary:
// an admin builds a rule in the form builder (subject contains "invoice" ->
// priority high + tag billing), tests it against the latest tickets, a mail
// arrives over SMTP, and the ticket shows the priority, the tag and the rule
// that fired. Then a rule whose action is "Send to webhook": the receiver
// (on 127.0.0.1, TICKETER_WEBHOOK_ALLOW_PRIVATE=true) gets one signed
// ticket.rule_fired. Screenshots at 1280x800 and 390x844.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, sendMail, showsValue, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, phone, token, receiver, receiverURL;
const consoleErrors = [];
const got = [];
const SECRET = "rules-e2e-secret";

const mail = (n, subject) =>
  sendMail(app.smtpPort, {
    from: `customer${n}@example.org`,
    to: "help@example.com",
    data: `From: Cleo Customer <customer${n}@example.org>\nTo: help@example.com\nSubject: ${subject}\nMessage-ID: <rules-${n}@example.org>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\n\nPlease have a look.\n`,
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

before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      got.push({ headers: req.headers, body, json: JSON.parse(body.toString("utf8")) });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  receiverURL = `http://127.0.0.1:${receiver.address().port}/ops`;
  process.env.TICKETER_WEBHOOK_ALLOW_PRIVATE = "true";
  app = await startWithAdmin("rules", PASSWORD);
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  // An earlier invoice mail (before the rule) for "test this rule" to find.
  await mail(1, "Invoice 7 is wrong");
  await mail(2, "Printer on fire");
  await waitFor(async () => (await ticketsOf("status=new")).length === 2, { what: "2 tickets", timeout: 30_000 });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  receiver?.close();
});

const shot = (p, name) => p.screenshot({ path: join(shots, `rules-${name}.png`) });

test("an admin builds a rule in the form and tests it on the latest tickets", async () => {
  await page.goto(`${app.url}/`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
  // Before signing in, the session check answers 401: expected.
  consoleErrors.length = 0;
  await page.getByRole("link", { name: "Rules" }).click();
  await page.getByRole("heading", { name: "Rules", exact: true }).waitFor();
  await page.getByText("No rules yet").waitFor();
  await page.getByRole("button", { name: "New rule" }).click();
  const form = page.getByRole("form", { name: "New rule" });
  await form.getByLabel("Name").fill("Billing");
  await form.getByLabel("When").selectOption("created");
  await form.getByRole("button", { name: "Add condition" }).click();
  await form.getByLabel("Condition 1 field").selectOption("subject");
  await form.getByLabel("Condition 1 operator").selectOption("contains");
  await form.getByLabel("Condition 1 value").fill("invoice");
  await form.getByLabel("Action 1", { exact: true }).selectOption("set_priority");
  await form.getByLabel("Action 1 value").selectOption("high");
  await form.getByRole("button", { name: "Add action" }).click();
  await form.getByLabel("Action 2", { exact: true }).selectOption("add_tag");
  await form.getByLabel("Action 2 value").fill("billing");
  await form.getByRole("button", { name: "Test this rule" }).click();
  const result = form.getByRole("status", { name: "Test result" });
  await result.getByText("1 of the last 2 tickets match").waitFor();
  await result.getByRole("link", { name: /Invoice 7 is wrong/ }).waitFor();
  await shot(page, "01-form-1280");
  await form.getByRole("button", { name: "Create rule" }).click();
  await page.getByRole("list", { name: "Rules" }).getByText("Billing").waitFor();
  const [rule] = (await api("GET", "/api/v1/rules")).items;
  assert.equal(rule.name, "Billing");
  assert.deepEqual(rule.conditions, [{ field: "subject", op: "contains", value: "invoice" }]);
  assert.deepEqual(rule.actions, [
    { type: "set_priority", value: "high" },
    { type: "add_tag", value: "billing" },
  ]);
  await shot(page, "02-list-1280");
});

test("a mail arrives: the rule sets priority and tag, and the side panel names it", async () => {
  await mail(3, "INVOICE 42 overdue");
  let t;
  await waitFor(async () => ([t] = await ticketsOf("q=overdue")) && t?.tags.includes("billing"), { what: "the rule's tag", timeout: 30_000 });
  assert.equal(t.priority, "high");
  const [other] = await ticketsOf("q=printer");
  assert.equal(other.priority, "normal");
  await page.goto(`${app.url}/tickets/${t.id}`);
  const side = page.getByRole("complementary", { name: "Ticket details" });
  await side.locator('select[name="priority"]').waitFor();
  assert.equal(await side.locator('select[name="priority"]').inputValue(), "high");
  await side.getByRole("link", { name: "billing" }).waitFor();
  const fired = side.getByLabel("Rules that fired");
  await fired.getByText("Billing").waitFor();
  await fired.scrollIntoViewIfNeeded();
  await shot(page, "03-ticket-1280");
});

test("on a phone the rules page and the form fit", async () => {
  await phone.goto(`${app.url}/`);
  await signIn(phone, "ada@example.com", PASSWORD);
  await phone.waitForURL(/\/queue\//);
  await phone.goto(`${app.url}/admin/rules`);
  await phone.getByRole("list", { name: "Rules" }).getByText("Billing").waitFor();
  await phone.getByRole("button", { name: "Edit" }).click();
  const form = phone.getByRole("form", { name: "Edit rule Billing" });
  await form.getByLabel("Condition 1 value").waitFor();
  assert.equal(await form.getByLabel("Condition 1 value").inputValue(), "invoice");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await shot(phone, "04-form-390");
  assert.deepEqual(consoleErrors, []);
});

test("a rule sends the ticket to a webhook: one signed ticket.rule_fired", async () => {
  const hook = await api("POST", "/api/v1/webhooks", { url: receiverURL, events: ["ticket.created"], secret: SECRET });
  await page.goto(`${app.url}/admin/rules`);
  await page.getByRole("button", { name: "New rule" }).click();
  const form = page.getByRole("form", { name: "New rule" });
  await form.getByLabel("Name").fill("Tell ops");
  await form.getByRole("button", { name: "Add condition" }).click();
  await form.getByLabel("Condition 1 field").selectOption("subject");
  await form.getByLabel("Condition 1 operator").selectOption("contains");
  await form.getByLabel("Condition 1 value").fill("outage");
  await form.getByLabel("Action 1", { exact: true }).selectOption("webhook");
  const target = form.getByLabel("Action 1 value");
  await target.locator("option", { hasText: "/ops" }).waitFor({ state: "attached" });
  await target.selectOption(String(hook.id));
  await shot(page, "05-webhook-action-1280");
  await form.getByRole("button", { name: "Create rule" }).click();
  await page.getByRole("list", { name: "Rules" }).getByText("Tell ops").waitFor();
  const rule = (await api("GET", "/api/v1/rules")).items.find((r) => r.name === "Tell ops");
  assert.deepEqual(rule.actions, [{ type: "webhook", value: String(hook.id) }]);

  await mail(4, "Outage in the EU region");
  await waitFor(async () => got.some((r) => r.json.event === "ticket.rule_fired"), { what: "ticket.rule_fired", timeout: 30_000 });
  const fired = got.filter((r) => r.json.event === "ticket.rule_fired");
  assert.equal(fired.length, 1);
  const [r] = fired;
  assert.equal(r.headers["x-ticketer-event"], "ticket.rule_fired");
  assert.equal(r.headers["x-ticketer-signature"], "sha256=" + createHmac("sha256", SECRET).update(r.body).digest("hex"));
  assert.deepEqual(r.json.rule, { id: rule.id, name: "Tell ops" });
  assert.equal(r.json.ticket.subject, "Outage in the EU region");
  const log = (await api("GET", `/api/v1/webhooks/${hook.id}/deliveries`)).items;
  assert.ok(log.some((d) => d.event === "ticket.rule_fired" && d.delivery_id === r.json.delivery_id), "the delivery log has it");

  await phone.goto(`${app.url}/admin/rules`);
  await phone.getByRole("list", { name: "Rules" }).getByText("Tell ops").waitFor();
  await phone.getByRole("listitem").filter({ hasText: "Tell ops" }).getByRole("button", { name: "Edit" }).click();
  const edit = phone.getByRole("form", { name: "Edit rule Tell ops" });
  await showsValue(edit.getByLabel("Action 1 value"), String(hook.id), "the webhook chosen in the rule");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await edit.getByLabel("Action 1 value").scrollIntoViewIfNeeded();
  await shot(phone, "06-webhook-action-390");
  assert.deepEqual(consoleErrors, []);
});
