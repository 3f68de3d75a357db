// The team's daily work in a real browser against the real binary: a new
// outbound ticket and the customer's answer; a merge, then a reply to the
// old thread landing on the target; a split; a notification arriving live.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, mime, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, token;

before(async () => {
  app = await startWithAdmin("daily", PASSWORD);
  app.cli(["user", "add", "--email", "bob@example.com", "--name", "Bob Agent", "--role", "agent", "--password-stdin"], PASSWORD + "\n");
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = async (p, name) => {
  await p.screenshot({ path: join(shots, `daily-${name}-1280.png`) });
  const vp = p.viewportSize();
  await p.setViewportSize({ width: 390, height: 844 });
  await p.screenshot({ path: join(shots, `daily-${name}-390.png`) });
  await p.setViewportSize(vp);
};

async function api(method, path, body) {
  const r = await fetch(`${app.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

async function customerMail({ from = "carol@customer.test", subject, messageId, text, headers = {} }) {
  await sendMail(app.smtpPort, { from, to: "help@example.com", data: mime({ from, to: "help@example.com", subject, messageId, text, headers }) });
  return waitFor(async () => (await api("GET", `/api/v1/tickets?q=${encodeURIComponent(text.split(" ")[0])}`)).items[0], { what: `ticket with ${text}` });
}

test("a new outbound ticket, and the customer's answer threads onto it", async () => {
  await page.getByRole("link", { name: "New ticket" }).click();
  const form = page.getByRole("form", { name: "New ticket" });
  await form.getByLabel("To").fill("dana@customer.test");
  await form.getByLabel("Subject").fill("Your renewal");
  await form.getByLabel("Message").fill("Hello Dana, your plan renews next week.");
  await shot(page, "01-new-ticket");
  await form.getByRole("button", { name: "Send and open ticket" }).click();
  await page.waitForURL(/\/tickets\/\d+$/);
  const id = Number(page.url().split("/").pop());
  const out = await waitFor(async () => (await api("GET", `/api/v1/tickets/${id}/messages`)).items[0], { what: "the outbound message" });
  await sendMail(app.smtpPort, {
    from: "dana@customer.test",
    to: "help@example.com",
    data: mime({ from: "dana@customer.test", to: "help@example.com", subject: "Re: Your renewal", messageId: "dana1@customer.test",
      text: "Thanks, please renew for two years.", headers: { "In-Reply-To": `<${out.message_id}>` } }),
  });
  // The answer threads onto the ticket (the API), then shows on its open page. The
  // page is reloaded once when the live update has not shown it in 15 s: a CI run saw
  // the text missing for 30 s once and the reason was not found (see the log printed
  // then); the threading is what this test pins, live updates have their own tests.
  await waitFor(async () => (await api("GET", `/api/v1/tickets/${id}/messages`)).items.some((m) => m.message_id === "dana1@customer.test"),
    { timeout: 30_000, what: `the answer on ticket ${id}` });
  const answer = page.getByText("please renew for two years");
  try {
    await answer.waitFor({ timeout: 15_000 });
  } catch {
    console.error(`the answer is on ticket ${id} but its page did not show it live in 15 s; reloading\n${app.log.join("")}`);
    await page.reload();
    await answer.waitFor();
  }
  assert.equal((await api("GET", `/api/v1/tickets/${id}`)).status, "open");
  await shot(page, "02-outbound-answered");
});

test("merge, then a reply to the old thread lands on the target", async () => {
  const keep = await customerMail({ subject: "Printer on fire", messageId: "p1@customer.test", text: "Blazing printer in room 4." });
  const dup = await customerMail({ subject: "Printer STILL on fire", messageId: "p2@customer.test", text: "Smouldering printer again." });
  await page.goto(`${app.url}/tickets/${dup.id}`);
  await page.getByRole("button", { name: "Merge into…" }).click();
  await page.getByLabel("Merge this ticket into ticket number").fill(`#${keep.id}`);
  await page.getByRole("button", { name: "Merge", exact: true }).click();
  await page.waitForURL(new RegExp(`/tickets/${keep.id}$`));
  await page.getByText("Smouldering printer again.").waitFor();
  await sendMail(app.smtpPort, {
    from: "carol@customer.test",
    to: "help@example.com",
    data: mime({ from: "carol@customer.test", to: "help@example.com", subject: "Re: Printer STILL on fire", messageId: "p3@customer.test",
      text: "Firefighters arrived.", headers: { "In-Reply-To": "<p2@customer.test>" } }),
  });
  await page.getByText("Firefighters arrived.").waitFor(); // live, on the target
  await page.goto(`${app.url}/tickets/${dup.id}`);
  await page.getByTestId("merged-banner").waitFor();
  await shot(page, "03-merged-pointer");
});

test("split a later message into its own ticket", async () => {
  const t = await customerMail({ subject: "Two problems", messageId: "s1@customer.test", text: "Keyboard sticky keys." });
  await sendMail(app.smtpPort, {
    from: "carol@customer.test",
    to: "help@example.com",
    data: mime({ from: "carol@customer.test", to: "help@example.com", subject: "Re: Two problems", messageId: "s2@customer.test",
      text: "Unrelated: my monitor flickers.", headers: { "In-Reply-To": "<s1@customer.test>" } }),
  });
  await page.goto(`${app.url}/tickets/${t.id}`);
  await page.getByText("my monitor flickers").waitFor();
  await page.getByRole("button", { name: "Split into a new ticket" }).last().click();
  await page.waitForURL((u) => !u.pathname.endsWith(`/tickets/${t.id}`));
  await page.getByTestId("split-banner").waitFor();
  await page.getByText("my monitor flickers").waitFor();
  // The new ticket's page holds its own conversation only: nothing of the old one stays on screen.
  assert.equal(await page.getByText("Keyboard sticky keys.").count(), 0, "the old ticket's message is not on the split ticket's page");
  await shot(page, "04-split");
});

test("a notification arrives live on the bell", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const bob = await ctx.newPage();
  await bob.goto(`${app.url}/signin`);
  await signIn(bob, "bob@example.com", PASSWORD);
  await bob.waitForURL(/\/queue\//);
  await bob.getByTestId("live-mode").filter({ hasText: "Live" }).waitFor();
  const t = await customerMail({ subject: "Assign me", messageId: "n1@customer.test", text: "Wobbly chair." });
  const users = await api("GET", "/api/v1/users");
  const bobID = users.items.find((u) => u.email === "bob@example.com").id;
  await api("PATCH", `/api/v1/tickets/${t.id}`, { assignee_id: bobID });
  await bob.getByTestId("bell-count").filter({ hasText: "1" }).first().waitFor(); // no reload
  await bob.getByRole("button", { name: /Notifications: 1 unread/ }).first().click();
  await bob.getByText("Assigned to you").waitFor();
  await shot(bob, "05-bell");
  await ctx.close();
});
