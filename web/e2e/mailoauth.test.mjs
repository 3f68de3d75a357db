// IMAP/SMTP sign-in with OAuth, in a real browser against the real binary:
// an IMAP mailbox's "Connect account" offers Google or Microsoft; the link
// starts the server's flow, which (this server has no Microsoft client)
// sends the browser back with the reason, shown on the Mailboxes page.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, signIn, startWithAdmin, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page;

before(async () => {
  app = await startWithAdmin("mailoauth", PASSWORD);
  app.cli(["mailbox", "add", "--name", "Sales", "--address", "sales@example.com",
    "--imap", "imaps://sales%40example.com@outlook.office365.com/INBOX?auth=oauth"]);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

test("an IMAP mailbox chooses Google or Microsoft to sign in with", { timeout: 120_000 }, async () => {
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
  await page.goto(`${app.url}/admin/mailboxes`);
  const card = page.getByRole("region", { name: "Mailbox Sales" });
  await card.getByRole("button", { name: "Connect account" }).click();
  const group = card.getByRole("group", { name: "IMAP / SMTP sign-in (OAuth)" });
  await group.waitFor();
  const link = group.getByRole("link", { name: "Sign in with Google" });
  await link.waitFor();
  await group.getByLabel("Sign in with").selectOption("microsoft");
  const ms = group.getByRole("link", { name: "Sign in with Microsoft" });
  await ms.waitFor();
  const href = await ms.getAttribute("href");
  const id = new URL(href, app.url).searchParams.get("mailbox_id");
  assert.match(href, /^\/api\/v1\/mailboxes\/oauth\/start\?mailbox_id=\d+&provider=microsoft$/);
  await shot("mailoauth-01-choice");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot("mailoauth-02-choice-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  // The server has no Microsoft OAuth client: it sends the browser back with why.
  await ms.click();
  await page.waitForURL(/\/admin\/mailboxes$/);
  const banner = page.getByRole("alert").filter({ hasText: "The account was not connected" });
  await banner.waitFor();
  assert.match(await banner.textContent(), /no microsoft OAuth client: set TICKETER_MICROSOFT_CLIENT_ID/);
  assert.ok(id, "the link names the mailbox");
  await shot("mailoauth-03-not-configured");
  // A relay-only (smtp) mailbox offers it too.
  const help = page.getByRole("region", { name: "Mailbox Help" });
  await help.getByRole("button", { name: "Connect account" }).click();
  await help.getByRole("group", { name: "IMAP / SMTP sign-in (OAuth)" }).waitFor();
});
