// Collision detection in two browsers against the real binary: two agents on
// one ticket see each other (viewing, typing); a customer mail arrives while
// one writes; Send stops with the new message shown; Send anyway delivers.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, mime, sendMail, signIn, startWithAdmin, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, token;

before(async () => {
  app = await startWithAdmin("collision", PASSWORD);
  app.cli(["user", "add", "--email", "bob@example.com", "--name", "Bob Agent", "--role", "agent", "--password-stdin"], PASSWORD + "\n");
  token = app.cli(["token", "create", "--email", "ada@example.com"]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = async (p, name) => {
  await p.screenshot({ path: join(shots, `collision-${name}-1280.png`) });
  const vp = p.viewportSize();
  await p.setViewportSize({ width: 390, height: 844 });
  await p.screenshot({ path: join(shots, `collision-${name}-390.png`) });
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

async function agentOn(email, ticketId) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await ctx.newPage();
  await p.goto(`${app.url}/signin`);
  await signIn(p, email, PASSWORD);
  await p.waitForURL(/\/queue\//);
  await p.getByTestId("live-mode").filter({ hasText: "Live" }).first().waitFor();
  await p.goto(`${app.url}/tickets/${ticketId}`);
  await p.getByText("The printer is smoking").first().waitFor();
  return p;
}

test("two agents see each other; a customer mail stops a reply; Send anyway delivers", async () => {
  const from = "carol@customer.test";
  await sendMail(app.smtpPort, { from, to: "help@example.com", data: mime({ from, to: "help@example.com", subject: "Smoke", messageId: "c1@customer.test", text: "The printer is smoking." }) });
  const t = await waitFor(async () => (await api("GET", "/api/v1/tickets?q=smoking")).items[0], { what: "the ticket" });

  const ada = await agentOn("ada@example.com", t.id);
  const bob = await agentOn("bob@example.com", t.id);
  await ada.getByTestId("presence").filter({ hasText: "Bob Agent is viewing" }).waitFor({ timeout: 20_000 });
  await bob.getByTestId("presence").filter({ hasText: "Ada Admin is viewing" }).waitFor({ timeout: 20_000 });

  // Bob writes; Ada sees him typing.
  await bob.getByPlaceholder(/Write a reply/).fill("We are sending a technician.");
  await ada.getByTestId("presence").filter({ hasText: "Bob Agent is typing…" }).waitFor({ timeout: 20_000 });
  await shot(ada, "01-typing");

  // Scrolled down to the composer, Ada still sees who is here: the bar
  // sticks under the header (1280) or under the phone's top bar (390).
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await ada.setViewportSize({ width, height });
    await ada.setViewportSize({ width, height: Math.min(height, 420) }); // short window: the page must scroll
    const scrolls = await ada.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return document.documentElement.scrollHeight > window.innerHeight + 100 && window.scrollY > 100;
    });
    assert.ok(scrolls, `the ticket page scrolls at ${width}px`);
    const box = await waitFor(async () => {
      const b = await ada.getByTestId("presence").boundingBox();
      return b && b.y >= 0 && b.y + b.height <= (await ada.evaluate(() => window.innerHeight)) ? b : null;
    }, { what: `the presence bar in view at ${width}px` });
    const top = await ada.evaluate(() => (document.querySelector(".topbar")?.getBoundingClientRect().height ?? 0));
    assert.ok(box.y >= top - 1, `the presence bar is not under the top bar at ${width}px (${box.y} < ${top})`);
    await ada.screenshot({ path: join(shots, `collision-01b-scrolled-${width}.png`) });
    await ada.evaluate(() => window.scrollTo(0, 0));
  }
  await ada.setViewportSize({ width: 1280, height: 800 });

  // The customer writes again while Bob is writing.
  await sendMail(app.smtpPort, { from, to: "help@example.com", data: mime({ from, to: "help@example.com", subject: "Re: Smoke", messageId: "c2@customer.test",
    text: "Update: there are flames now.", headers: { "In-Reply-To": "<c1@customer.test>" } }) });
  await waitFor(async () => (await api("GET", `/api/v1/tickets/${t.id}/messages`)).items.some((m) => m.text.includes("flames")), { what: "the second mail" });

  await bob.getByRole("button", { name: "Send reply" }).click();
  const warning = bob.getByTestId("newer-messages");
  await warning.waitFor();
  await warning.getByText("there are flames now").waitFor();
  const before = (await api("GET", `/api/v1/tickets/${t.id}/messages`)).items.filter((m) => m.kind === "outbound" && m.text.includes("technician"));
  assert.equal(before.length, 0, "the stopped reply was not sent");
  await shot(bob, "02-newer-message");

  await warning.getByRole("button", { name: "Send anyway" }).click();
  await bob.getByText("Reply queued for delivery").waitFor();
  const sent = await waitFor(async () => (await api("GET", `/api/v1/tickets/${t.id}/messages`)).items.find((m) => m.kind === "outbound" && m.text.includes("technician")),
    { what: "the reply" });
  assert.ok(sent.delivery);
  await shot(bob, "03-sent-anyway");

  // Bob leaves: Ada no longer sees him.
  await bob.context().close();
  await waitFor(async () => (await ada.getByTestId("presence").count()) === 0, { timeout: 40_000, what: "Bob gone" });
});
