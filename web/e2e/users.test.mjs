// User administration in a real browser against the real binary: an admin
// adds a user without a password and edits them; the user sets a password
// from the single-use link, is signed in, and changes it on "My account";
// the link then no longer works. Dev login is off: no dev sign-in button.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, signIn, startWithAdmin, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
const NIA_FIRST = "nia's first long password";
const NIA_SECOND = "nia's second long password";
let app, browser, page, inviteURL;
const consoleErrors = [];

before(async () => {
  app = await startWithAdmin("users", PASSWORD);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const signOut = async () => {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin$/);
};

test("no dev sign-in button when dev login is off", async () => {
  const config = page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/config"));
  await page.goto(`${app.url}/signin`);
  assert.deepEqual(await (await config).json(), { dev_login: false, password_login: true, sso: false });
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.equal(await page.getByRole("button", { name: /Dev sign-in/ }).count(), 0);
});

test("an admin adds a user without a password, gets the link, edits the name", async () => {
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/unassigned$/);
  await page.getByRole("link", { name: "Users" }).click();
  const form = page.getByRole("form", { name: "Add a user" });
  await form.getByLabel("Name").fill("Nia New");
  await form.getByLabel("Email").fill("nia@example.com");
  await form.getByRole("button", { name: "Add user" }).click();
  const link = page.getByLabel("Invitation link for nia@example.com");
  await link.waitFor();
  inviteURL = await link.inputValue();
  assert.match(inviteURL, new RegExp(`^${app.url}/invite/tki_[A-Za-z0-9_-]{43}$`));
  await shot("users-01-invitation-link");

  const row = page.getByRole("row", { name: /nia@example.com/ });
  await row.getByRole("button", { name: "Edit" }).click();
  await page.getByLabel("Name of nia@example.com").fill("Nia Newton");
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("cell", { name: "Nia Newton" }).waitFor();
  // The command line sees the same users.
  assert.match(app.cli(["user", "list"]), /\n2\s+nia@example\.com\s+Nia Newton\s+agent\s+false$/);
  await signOut();
});

test("the user sets a password from the link and is signed in", async () => {
  await page.goto(inviteURL);
  await page.getByText("For Nia Newton (nia@example.com)").waitFor();
  await page.getByLabel("New password", { exact: true }).fill(NIA_FIRST);
  await page.getByLabel("Repeat the new password").fill(NIA_FIRST + "x");
  await page.getByText("The two passwords differ.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Set password and sign in" }).isDisabled(), true);
  await page.getByLabel("Repeat the new password").fill(NIA_FIRST);
  await shot("users-02-invite-page");
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await page.waitForURL(/\/queue\/unassigned$/);
  await page.getByRole("link", { name: "Nia Newton" }).waitFor();
});

test("the user changes their own password on My account", async () => {
  await page.getByRole("link", { name: "Nia Newton" }).click();
  await page.getByRole("heading", { name: "My account" }).waitFor();
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill(NIA_SECOND);
  await page.getByLabel("Repeat the new password").fill(NIA_SECOND);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByRole("alert").filter({ hasText: "is not your current password" }).waitFor();
  await page.getByLabel("Current password").fill(NIA_FIRST);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByRole("status").filter({ hasText: "Password changed" }).waitFor();
  await shot("users-03-my-account");
  // Still signed in here: the session that changed it stays.
  await page.getByRole("link", { name: "Mine" }).click();
  await page.waitForURL(/\/queue\/mine$/);
  await signOut();
  await signIn(page, "nia@example.com", NIA_SECOND);
  await page.waitForURL(/\/queue\/unassigned$/);
  await signOut();
});

test("the link works only once", async () => {
  await page.goto(inviteURL);
  await page.getByRole("alert").filter({ hasText: "used already" }).waitFor();
  assert.equal(await page.getByLabel("New password", { exact: true }).count(), 0);
});

test("no unexpected errors in the console", () => {
  // The refused current password (422) and the used link (409) are the point.
  const expected = [/^Failed to load resource: the server responded with a status of (401|409|422)/];
  assert.deepEqual(consoleErrors.filter((m) => !expected.some((re) => re.test(m))), []);
});
