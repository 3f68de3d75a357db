// Outgoing webhooks in a real browser against the real binary (started with
// TICKETER_WEBHOOK_ALLOW_PRIVATE=true): an admin adds a webhook pointing at
// a receiver in this process, sends a test, a customer's mail delivers
// ticket.created and message.created (signed, carrying the API's shapes),
// the log shows the deliveries, the admin edits the events and disables it,
// then deletes it. Screenshots at 1280x800 and 390x844.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
const SECRET = "e2e-webhook-secret";
let app, browser, page, receiver, receiverURL;
const got = [];
const consoleErrors = [];

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
  receiverURL = `http://127.0.0.1:${receiver.address().port}/ticketer`;
  process.env.TICKETER_WEBHOOK_ALLOW_PRIVATE = "true";
  app = await startWithAdmin("webhooks", PASSWORD);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("dialog", (d) => d.accept());
});

after(async () => {
  await browser?.close();
  await app?.stop();
  receiver?.close();
});

const shot = (name) => page.screenshot({ path: join(shots, `webhooks-${name}.png`), fullPage: true });
const signed = (r) => r.headers["x-ticketer-signature"] === "sha256=" + createHmac("sha256", SECRET).update(r.body).digest("hex");

test("an admin adds a webhook and sends a test", async () => {
  await page.goto(app.url);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
  consoleErrors.length = 0; // the signed-out first load's 401s
  await page.getByRole("link", { name: "Webhooks" }).click();
  const form = page.getByRole("form", { name: "Add a webhook" });
  await form.getByLabel("URL").fill(receiverURL);
  await form.getByLabel("Secret").fill(SECRET);
  await form.getByRole("button", { name: "Add webhook" }).click();
  const card = page.getByRole("region", { name: `Webhook ${receiverURL}` });
  await card.waitFor();
  assert.match(await card.textContent(), /secret …cret/);
  await card.getByRole("button", { name: "Send test" }).click();
  await waitFor(() => got.length === 1, { what: "the test delivery" });
  assert.equal(got[0].headers["x-ticketer-event"], "webhook.test");
  assert.ok(signed(got[0]), "the test is signed with the secret");
  await card.getByRole("table", { name: "Deliveries" }).getByText("delivered").waitFor();
});

test("a customer's mail is delivered as ticket.created and message.created", async () => {
  await sendMail(app.smtpPort, {
    from: "cleo@example.org",
    to: "help@example.com",
    data: "From: Cleo <cleo@example.org>\nTo: help@example.com\nSubject: Hook me up\nMessage-ID: <hook-1@example.org>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\n\nHello hooks.\n",
  });
  await waitFor(() => got.some((r) => r.json.event === "message.created" && r.json.message.kind === "inbound"), {
    what: "the mail's deliveries",
    timeout: 20_000,
  });
  const created = got.find((r) => r.json.event === "ticket.created");
  assert.equal(created.json.ticket.subject, "Hook me up");
  assert.equal(created.json.ticket.requester.email, "cleo@example.org");
  assert.equal(created.headers["x-ticketer-delivery"], created.json.delivery_id);
  for (const r of got) assert.ok(signed(r), `${r.json.event} is signed`);
  // ticket.created before its message.
  const order = got.filter((r) => r.json.ticket_id === created.json.ticket_id).map((r) => r.json.event);
  assert.deepEqual(order.slice(0, 2), ["ticket.created", "message.created"]);
  const card = page.getByRole("region", { name: `Webhook ${receiverURL}` });
  await card.getByRole("table", { name: "Deliveries" }).getByText("ticket.created").waitFor({ timeout: 10_000 });
  await shot("01-log-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot("02-log-390");
  await page.setViewportSize({ width: 1280, height: 800 });
});

test("the admin edits the events, disables the webhook, then deletes it", async () => {
  const card = page.getByRole("region", { name: `Webhook ${receiverURL}` });
  await card.getByRole("button", { name: "Edit" }).click();
  await card.getByRole("checkbox", { name: "message.created" }).uncheck();
  await card.getByRole("checkbox", { name: "Enabled" }).uncheck();
  await shot("03-edit-1280");
  await card.getByRole("button", { name: "Save" }).click();
  await card.getByText("Disabled", { exact: true }).waitFor();
  assert.doesNotMatch(await card.locator(".hint").first().textContent(), /message\.created/);
  await card.getByRole("button", { name: "Delete" }).click();
  await page.getByText("No webhooks yet").waitFor();
  assert.deepEqual(consoleErrors, []);
});
