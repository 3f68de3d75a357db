// Satisfaction surveys (issue 14) in a real browser against the real binary:
// a ticket of a mailbox with csat on is solved; the survey link is taken
// from the mail in the outbox; opening it (as a mail scanner would) rates
// nothing; the click on the page's button rates; the agent's ticket page
// shows the rating. Screenshots at 1280x800 and 390x844.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
const CUSTOMER = "dora@example.org";
let app, browser, agent, phone, token, ticketId;

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

// surveyLinks lists the survey links mailed to the customer (outbox files).
function surveyLinks(rating) {
  const out = [];
  for (const mail of app.outboxMails()) {
    const text = mail.replaceAll("=\r\n", "").replaceAll("=3D", "=");
    if (!text.includes(CUSTOMER)) continue;
    for (const m of text.matchAll(new RegExp(`https?://[^\\s]+/survey/[A-Za-z0-9_-]{43}\\?rating=${rating}`, "g"))) out.push(m[0]);
  }
  return out;
}

before(async () => {
  app = await startWithAdmin("csat", PASSWORD);
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  const mbs = await api("GET", "/api/v1/mailboxes");
  const mb = mbs[0] ?? mbs.items[0];
  const updated = await api("PATCH", `/api/v1/mailboxes/${mb.id}`, { csat: true });
  assert.equal(updated.csat, true);
  await sendMail(app.smtpPort, {
    from: CUSTOMER,
    to: "help@example.com",
    data: `From: Dora Customer <${CUSTOMER}>\nTo: help@example.com\nSubject: The scanner jams\nMessage-ID: <csat-1@example.org>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\n\nEvery third page jams.\n`,
  });
  const t = await waitFor(async () => (await api("GET", "/api/v1/tickets?limit=10")).items[0], { what: "the ticket", timeout: 30_000 });
  ticketId = t.id;
  browser = await launchChromium();
  agent = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (p, name) => p.screenshot({ path: join(shots, `csat-${name}.png`) });

test("a solved ticket's survey: the link shows, the click rates, the agent sees it", async () => {
  await agent.goto(`${app.url}/tickets/${ticketId}`);
  await signIn(agent, "ada@example.com", PASSWORD);
  await agent.getByText("Every third page jams.").waitFor({ timeout: 20_000 });
  await api("PATCH", `/api/v1/tickets/${ticketId}`, { status: "solved" });

  const link = await waitFor(() => surveyLinks("good")[0], { what: "the survey mail in the outbox", timeout: 30_000 });
  assert.equal(surveyLinks("bad").length, 1, "one Bad link");

  // A scanner following the link rates nothing.
  const scan = await fetch(link);
  assert.equal(scan.status, 200);
  assert.match(scan.headers.get("content-security-policy"), /default-src 'none'/);
  assert.equal((await api("GET", `/api/v1/tickets/${ticketId}`)).csat ?? null, null);

  await phone.goto(link);
  await phone.getByRole("heading", { name: "How did we do?" }).waitFor();
  assert.equal(await phone.getByLabel(/Good/).isChecked(), true, "the link's rating is chosen");
  await shot(phone, "01-survey-phone");
  await phone.getByLabel("Anything to add? (optional)").fill("Fixed in a day, thanks");
  await phone.getByRole("button", { name: "Send my rating" }).click();
  await phone.getByRole("heading", { name: "Thank you" }).waitFor();
  await shot(phone, "02-thanks-phone");

  const rated = await waitFor(async () => (await api("GET", `/api/v1/tickets/${ticketId}`)).csat, { what: "the rating" });
  assert.equal(rated.rating, "good");
  assert.equal(rated.comment, "Fixed in a day, thanks");

  // The agent's open page shows it (live), in the side panel and the log.
  const panel = agent.getByTestId("csat");
  await panel.getByText("Good").waitFor({ timeout: 30_000 });
  await agent.getByText("Fixed in a day, thanks").waitFor();
  await agent.getByText(/rated the ticket Good/).waitFor();
  await shot(agent, "03-agent-sees-rating");

  // The same link on a desktop, to change the answer.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await desk.goto(link.replace("rating=good", "rating=bad"));
  await desk.getByText(/You rated this Good/).waitFor();
  assert.equal(await desk.getByLabel(/Bad/).isChecked(), true);
  await shot(desk, "04-survey-desktop");
  await desk.getByRole("button", { name: "Send my rating" }).click();
  await desk.getByRole("heading", { name: "Thank you" }).waitFor();
  await panel.getByText("Bad").waitFor({ timeout: 30_000 });

  const report = await api("GET", "/api/v1/reports/summary?group=mailbox");
  const row = report.rows.find((r) => r.csat_responses > 0);
  assert.equal(row.csat_responses, 1);
  assert.equal(row.csat_good_pct, 0);
});

test("an unknown survey link gets a clear 404 page", async () => {
  const r = await fetch(`${app.url}/survey/not-a-real-token`);
  assert.equal(r.status, 404);
  assert.match(await r.text(), /not known/);
});

test("an API token limited to read-only tickets, made on the account page", async () => {
  for (const [page, name] of [
    [agent, "05-token-desktop"],
    [phone, "06-token-phone"],
  ]) {
    await page.goto(`${app.url}/account`);
    if (page === phone) await signIn(phone, "ada@example.com", PASSWORD);
    await page.getByRole("heading", { name: "API tokens" }).waitFor({ timeout: 20_000 });
    await page.getByLabel("New token's name").fill(`reader ${name}`);
    await page.getByLabel("Read only (GET requests)").check();
    await page.locator('input[name="scope-tickets"]').check();
    await page.getByRole("button", { name: /Create token \(read only: tickets\)/ }).click();
    const secret = (await page.getByTestId("new-token").textContent()).trim();
    await page.getByText(`reader ${name}`).waitFor();
    await page.getByTestId("new-token").scrollIntoViewIfNeeded();
    await shot(page, name);
    const call = (method, path, body) =>
      fetch(`${app.url}${path}`, {
        method,
        headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    assert.equal((await call("GET", `/api/v1/tickets/${ticketId}`)).status, 200);
    const write = await call("PATCH", `/api/v1/tickets/${ticketId}`, { priority: "high" });
    assert.equal(write.status, 403);
    assert.equal((await write.json()).error.code, "token_scope");
    assert.equal((await call("GET", "/api/v1/mailboxes")).status, 403);
  }
});
