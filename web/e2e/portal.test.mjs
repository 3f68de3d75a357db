// The customer portal (issue 14) in a real browser against the real binary:
// a customer asks for a sign-in link, takes it from the outbox mail, sees
// their ticket, replies with an attachment, and the agent's open ticket page
// shows the reply live. The page's weight is measured (gzipped). Screenshots
// at 1280x800 and 390x844.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { launchChromium, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
const CUSTOMER = "carol@example.org";
let app, browser, agent, desk, phone, token, ticketId;
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

// linksInOutbox lists the portal sign-in links mailed to the customer.
function linksInOutbox() {
  const out = [];
  for (const mail of app.outboxMails()) {
    const text = mail.replaceAll("=\r\n", "");
    if (!text.includes(CUSTOMER)) continue;
    for (const m of text.matchAll(/https?:\/\/[^\s]+\/portal\/sign-in\/[A-Za-z0-9_-]{43}/g)) out.push(m[0]);
  }
  return out;
}

// signInByMail asks for a link on the portal page and follows it.
async function signInByMail(p) {
  const before = new Set(linksInOutbox());
  await p.goto(`${app.url}/portal`);
  await p.getByRole("heading", { name: "See your tickets" }).waitFor();
  await p.getByLabel("Email").fill(CUSTOMER);
  await p.getByRole("button", { name: "Mail me a link" }).click();
  await p.getByRole("heading", { name: "Check your mail" }).waitFor();
  const link = await waitFor(() => linksInOutbox().find((l) => !before.has(l)), { what: "the sign-in mail in the outbox" });
  await p.goto(link);
  await p.getByRole("button", { name: "Sign in" }).click();
  await p.getByRole("heading", { name: "Your tickets" }).waitFor();
  return link;
}

before(async () => {
  app = await startWithAdmin("portal", PASSWORD);
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  await sendMail(app.smtpPort, {
    from: CUSTOMER,
    to: "help@example.com",
    data: `From: Carol Customer <${CUSTOMER}>\nTo: help@example.com\nSubject: My printer is on fire\nMessage-ID: <portal-1@example.org>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\n\nIt smokes since this morning.\n`,
  });
  const t = await waitFor(async () => (await api("GET", "/api/v1/tickets?limit=10")).items[0], { what: "the ticket", timeout: 30_000 });
  ticketId = t.id;
  await api("POST", `/api/v1/tickets/${ticketId}/notes`, { body: "NOTE-SECRET: the customer broke it" });
  const mb = (await api("GET", "/api/v1/mailboxes"))[0] ?? (await api("GET", "/api/v1/mailboxes")).items[0];
  await api("PATCH", `/api/v1/mailboxes/${mb.id}`, { portal: true });
  browser = await launchChromium();
  agent = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
  // The customer's pages (the agent's app answers 401 before its sign-in).
  for (const p of [desk, phone]) p.on("console", (m) => m.type() === "error" && consoleErrors.push(`${m.text()} ${m.location().url}`));
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (p, name) => p.screenshot({ path: join(shots, `portal-${name}.png`) });

test("the portal page is small: under 60 KB gzipped, with no script", async () => {
  let total = 0;
  for (const path of ["/portal", "/portal/portal.css"]) {
    const r = await fetch(`${app.url}${path}`);
    assert.equal(r.status, 200, path);
    const body = Buffer.from(await r.arrayBuffer());
    const gz = gzipSync(body).length;
    total += gz;
    console.log(`# ${path}: ${body.length} bytes, ${gz} gzipped`);
    if (path === "/portal") {
      assert.match(r.headers.get("content-security-policy"), /default-src 'none'/);
      assert.ok(!body.includes("<script"), "no script");
    }
  }
  console.log(`# portal page total: ${total} bytes gzipped`);
  assert.ok(total < 60 * 1024, `portal page ${total} bytes gzipped`);
});

test("a customer signs in from the mailed link, replies, and the agent sees it live", async () => {
  // The agent has the ticket open.
  await agent.goto(`${app.url}/tickets/${ticketId}`);
  await signIn(agent, "ada@example.com", PASSWORD);
  await agent.getByText("It smokes since this morning.").waitFor({ timeout: 20_000 });

  await desk.goto(`${app.url}/portal`);
  await desk.getByRole("heading", { name: "See your tickets" }).waitFor();
  await shot(desk, "01-sign-in-desktop");
  const link = await signInByMail(desk);
  await shot(desk, "02-tickets-desktop");
  // The link worked once.
  const again = await fetch(link, { method: "POST" });
  assert.equal(again.status, 404);

  await desk.getByRole("link", { name: /My printer is on fire/ }).click();
  await desk.getByRole("heading", { name: "My printer is on fire" }).waitFor();
  await desk.getByText("It smokes since this morning.").waitFor();
  assert.equal(await desk.getByText("NOTE-SECRET").count(), 0, "a note shows in the portal");

  await desk.getByLabel("Message").fill("Still smoking. PORTAL-REPLY-42");
  await desk.getByLabel("Attachments").setInputFiles({ name: "smoke.txt", mimeType: "text/plain", buffer: Buffer.from("smoke") });
  await desk.getByRole("button", { name: "Send reply" }).click();
  await desk.getByText("your reply is sent").waitFor();

  // Live on the agent's page, without a reload.
  await agent.getByText("Still smoking. PORTAL-REPLY-42").waitFor({ timeout: 45_000 });
  await agent.getByText("smoke.txt").first().waitFor();
  await shot(agent, "03-agent-sees-reply");
  const msgs = (await api("GET", `/api/v1/tickets/${ticketId}/messages`)).items;
  const reply = msgs.find((m) => m.text.includes("PORTAL-REPLY-42"));
  assert.equal(reply.kind, "inbound");
  assert.equal(reply.from.email, CUSTOMER);
  assert.notEqual(reply.threaded_by, "new");

  await desk.reload();
  await desk.getByText("Still smoking. PORTAL-REPLY-42").waitFor();
  await shot(desk, "04-ticket-desktop");
});

test("on a phone: sign in, the list, the ticket", async () => {
  await phone.goto(`${app.url}/portal`);
  await phone.getByRole("heading", { name: "See your tickets" }).waitFor();
  await shot(phone, "05-sign-in-phone");
  await signInByMail(phone);
  await shot(phone, "06-tickets-phone");
  await phone.getByRole("link", { name: /My printer is on fire/ }).click();
  await phone.getByText("Still smoking. PORTAL-REPLY-42").waitFor();
  await shot(phone, "07-ticket-phone");
  // Nothing wider than the screen.
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide`);
});

test("no console errors on the customer's pages", () => {
  assert.deepEqual(consoleErrors, []);
});
