// Mail we get right, in a real browser against the real binary: automatic
// mail sent with a null envelope sender is kept on the "Automatic mail" page
// (no ticket, no acknowledgement) and an agent turns one into a ticket; a
// reply shows how it joined its ticket; a ticket marked as spam leaves the
// queue and comes back; failed mail can be downloaded and retried.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, token;
const consoleErrors = [];

const api = async (path, init = {}) => {
  const r = await fetch(`${app.url}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  return { status: r.status, body: r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text() };
};
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
const date = () => new Date().toUTCString();

before(async () => {
  app = await startWithAdmin("mail", PASSWORD);
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test("automatic mail with a null envelope sender is kept aside, and becomes a ticket on request", async () => {
  await sendMail(app.smtpPort, {
    from: "",
    to: "help@example.com",
    data: `From: Olga Away <olga@customer.example>\nTo: help@example.com\nSubject: Automatic reply: Invoice 77\nMessage-ID: <ooo-77@customer.example>\nDate: ${date()}\nAuto-Submitted: auto-replied\n\nI am out of the office until Monday.\n`,
  });
  await sendMail(app.smtpPort, {
    from: "mailer-daemon@mx.other.example",
    to: "help@example.com",
    data: `From: Mail Guard <verify@guard.example>\nTo: help@example.com\nSubject: Please verify your message\nMessage-ID: <challenge-1@guard.example>\nDate: ${date()}\n\nYour message is held until you confirm that you are a human.\nIt will be delivered once you are added to the approved senders list.\n`,
  });
  const kept = await waitFor(async () => {
    const r = await api("/api/v1/inbound?status=automatic");
    return r.body.items?.length === 2 && r.body.items;
  }, { what: "two automatic mails kept", timeout: 20_000 });
  assert.deepEqual(kept.map((i) => i.reason).sort(), ["auto_reply", "auto_reply"]);
  assert.equal((await api("/api/v1/tickets")).body.items.length, 0, "automatic mail opened no ticket");

  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
  await page.getByRole("link", { name: "Automatic mail" }).click();
  await page.waitForURL(/\/mail\/automatic$/);
  const row = page.locator(".inbound-row", { hasText: "Automatic reply: Invoice 77" });
  await row.waitFor();
  assert.match(await row.textContent(), /Auto-reply.*olga@customer\.example/s);
  await shot("mail-01-automatic");
  await row.getByRole("button", { name: "Create ticket" }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  await page.getByRole("heading", { name: /Automatic reply: Invoice 77/ }).waitFor();
  await page.getByTestId("threaded-by").first().waitFor();
  assert.equal(await page.getByTestId("threaded-by").first().textContent(), "started this ticket");
  await page.getByRole("link", { name: "Automatic mail" }).click();
  await page.locator(".inbound-row", { hasText: "Please verify your message" }).waitFor();
  assert.equal(await page.locator(".inbound-row", { hasText: "Automatic reply: Invoice 77" }).count(), 0);
});

test("a reply says how it joined its ticket, on the message and in the activity", async () => {
  await sendMail(app.smtpPort, {
    from: "carl@customer.example",
    to: "help@example.com",
    data: `From: Carl Customer <carl@customer.example>\nTo: help@example.com\nSubject: Printer jam\nMessage-ID: <jam-1@customer.example>\nDate: ${date()}\n\nThe printer jams.\n`,
  });
  // Ingestion jobs may run in any order: the reply goes once the first is in.
  await waitFor(async () => (await api("/api/v1/tickets?q=jam")).body.items?.length === 1, { what: "the first message's ticket", timeout: 20_000 });
  await sendMail(app.smtpPort, {
    from: "carl@customer.example",
    to: "help@example.com",
    data: `From: Carl Customer <carl@customer.example>\nTo: help@example.com\nSubject: Re: Printer jam\nMessage-ID: <jam-2@customer.example>\nIn-Reply-To: <jam-1@customer.example>\nDate: ${date()}\n\nStill jammed.\n`,
  });
  const t = await waitFor(async () => {
    const r = await api("/api/v1/tickets?q=jam");
    return r.body.items?.[0]?.message_count >= 2 && r.body.items[0]; // the conversation: not the acknowledgement
  }, { what: "the reply on the ticket", timeout: 20_000 });
  const stored = (await api(`/api/v1/tickets/${t.id}/messages`)).body.items.map((m) => [m.kind, m.threaded_by, m.threaded_key ?? null]);
  assert.deepEqual(stored, [["inbound", "new", ""], ["outbound", null, null], ["inbound", "in-reply-to", "jam-1@customer.example"]]);
  await page.goto(`${app.url}/tickets/${t.id}`);
  const line = page.getByTestId("threaded-by").filter({ hasText: "In-Reply-To" });
  await line.waitFor({ timeout: 60_000 }); // this machine is shared: a page can take long under load
  assert.equal(await line.textContent(), "joined by In-Reply-To <jam-1@customer.example>");
  await page.locator(".timeline li", { hasText: "joined by In-Reply-To <jam-1@customer.example>" }).waitFor();
  await shot("mail-02-threaded-by");
});

test("spam: the ticket leaves the queue, its sender is blocked, and it can be restored", async () => {
  const t = (await api("/api/v1/tickets?q=jam")).body.items[0];
  await page.goto(`${app.url}/tickets/${t.id}`);
  await page.getByRole("button", { name: "Spam", exact: true }).click();
  await page.getByText("This ticket is marked as spam").waitFor();
  await shot("mail-03-spam");
  const blocked = (await api("/api/v1/blocked-senders")).body.items.map((b) => b.value);
  assert.deepEqual(blocked, ["carl@customer.example"]);
  await page.getByRole("link", { name: "All open" }).click();
  await page.waitForURL(/\/queue\/open$/);
  await page.getByRole("link", { name: /Automatic reply: Invoice 77/ }).waitFor();
  assert.equal(await page.getByRole("link", { name: /Printer jam/ }).count(), 0, "a spam ticket is in no list");
  await page.getByRole("link", { name: "Spam", exact: true }).click();
  await page.getByRole("link", { name: /Printer jam/ }).click();
  await page.getByRole("button", { name: "Not spam: restore" }).click();
  await page.getByText("This ticket is marked as spam").waitFor({ state: "detached" });
  assert.deepEqual((await api("/api/v1/blocked-senders")).body.items, []);
  await page.getByRole("link", { name: "All open" }).click();
  await page.getByRole("link", { name: /Printer jam/ }).waitFor();
});

test("failed mail: listed for admins, downloadable, retried on request", async () => {
  // 70 nested multiparts: over the structure limit, so it is kept failed.
  let body = "deep";
  for (let i = 0; i < 70; i++) body = `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n${body}\n--b${i}--`;
  await sendMail(app.smtpPort, { from: "x@deep.example", to: "help@example.com", data: `From: x@deep.example\nSubject: deep\nMessage-ID: <deep@deep.example>\nDate: ${date()}\n${body}\n` });
  const failed = await waitFor(async () => (await api("/api/v1/inbound?status=failed")).body.items?.[0], { what: "the failed row", timeout: 20_000 });
  await page.getByRole("link", { name: "Failed mail" }).click();
  await page.waitForURL(/\/mail\/failed$/);
  const row = page.locator(`.inbound-row[data-inbound-id="${failed.id}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /1 attempt\b/);
  const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Download .eml" }).click()]);
  assert.equal(download.suggestedFilename(), `inbound-${failed.id}.eml`);
  await shot("mail-04-failed");
  await row.getByRole("button", { name: "Retry now" }).click();
  await waitFor(async () => /2 attempts/.test(await row.textContent()), { what: "a second attempt" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${app.url}/mail/automatic`);
  await page.locator(".inbound-row").first().waitFor();
  await shot("mail-05-automatic-phone");
  assert.deepEqual(consoleErrors, []);
});

test("an admin sets a mailbox's reopen window", async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${app.url}/admin/mailboxes`);
  await page.getByText("closed up to 30 days ago").waitFor();
  await page.getByRole("button", { name: "Edit" }).first().click();
  await page.getByLabel("Reopen window (days)").fill("45");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByText("closed up to 45 days ago").waitFor();
  const mb = (await api("/api/v1/mailboxes")).body.items[0];
  assert.equal(mb.reopen_days, 45);
});
