// Mentions in a real browser against the real binary: an agent types "@"
// and the first letters of a colleague's name in an internal note, picks
// them from the list with the keyboard, adds the note, and the colleague's
// bell shows the mention live. Screenshots of the open list at 1280x800 and
// 390x844.
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
  app = await startWithAdmin("mention", PASSWORD);
  for (const [email, name] of [["bob@example.com", "Bob Agent"], ["bobby.t@example.com", "Bobby Tables"], ["cy@example.com", "Cy Other"]]) {
    app.cli(["user", "add", "--email", email, "--name", name, "--role", "agent", "--password-stdin"], PASSWORD + "\n");
  }
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
  await p.screenshot({ path: join(shots, `mention-${name}-1280.png`) });
  const vp = p.viewportSize();
  await p.setViewportSize({ width: 390, height: 844 });
  await p.getByRole("textbox", { name: "Note" }).evaluate((el) => el.scrollIntoView({ block: "end" }));
  await p.screenshot({ path: join(shots, `mention-${name}-390.png`) });
  await p.setViewportSize(vp);
};

async function api(method, path) {
  const r = await fetch(`${app.url}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

test("an agent mentions a colleague picked from the list; the colleague is notified live", async () => {
  const bobCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const bob = await bobCtx.newPage();
  await bob.goto(`${app.url}/signin`);
  await signIn(bob, "bob@example.com", PASSWORD);
  await bob.waitForURL(/\/queue\//);
  await bob.getByTestId("live-mode").filter({ hasText: "Live" }).waitFor();

  await sendMail(app.smtpPort, {
    from: "carol@customer.test",
    to: "help@example.com",
    data: mime({ from: "carol@customer.test", to: "help@example.com", subject: "Refund over 500", messageId: "m1@customer.test", text: "Refund my order please." }),
  });
  const t = await waitFor(async () => (await api("GET", "/api/v1/tickets?q=Refund")).items[0], { what: "the ticket" });

  await page.goto(`${app.url}/tickets/${t.id}`);
  await page.getByRole("tab", { name: "Internal note" }).click();
  const note = page.getByRole("textbox", { name: "Note" });
  await note.click();
  await page.keyboard.type("Needs approval from @Bo");
  const list = page.getByRole("listbox", { name: "Agents to mention" });
  const options = list.getByRole("option");
  await waitFor(async () => (await options.allTextContents()).join("|") === "Bob Agent@bob|Bobby Tables@bobby.t", { what: "Bob and Bobby listed" });
  await shot(page, "01-list");
  // Down to Bobby, back up to Bob: the textarea names the active option.
  await page.keyboard.press("ArrowDown");
  assert.equal(await note.getAttribute("aria-activedescendant"), await options.nth(1).getAttribute("id"));
  await page.keyboard.press("ArrowUp");
  assert.equal(await options.nth(0).getAttribute("aria-selected"), "true");
  await page.keyboard.press("Enter");
  await list.waitFor({ state: "detached" });
  await page.keyboard.type("thanks");
  assert.equal(await note.inputValue(), "Needs approval from @bob thanks");
  await page.getByRole("button", { name: "Add note" }).click();
  await page.getByText("Needs approval from @bob thanks").waitFor();

  await bob.getByTestId("bell-count").filter({ hasText: "1" }).first().waitFor(); // no reload
  await bob.getByRole("button", { name: /Notifications: 1 unread/ }).first().click();
  await bob.getByText("You were mentioned").waitFor();
  await bobCtx.close();
});
