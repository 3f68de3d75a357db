// Forward to a third party, in a real browser against the real binary: an
// agent forwards the customer's mail (with its attachment, without the
// note) from the ticket page; it leaves through the relay with its own
// Message-ID; the third party's answer, sent in by SMTP, comes back onto
// the ticket marked as theirs, without an acknowledgement and without
// changing the requester.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ticketer, buildBinary, launchChromium, mime, sendMail, signIn, smtpSink, waitFor, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, sink, browser, context, page;
const consoleErrors = [];

before(async () => {
  const bin = buildBinary(join(tmpdir(), `ticketer-e2e-forward-${process.pid}`));
  sink = await smtpSink();
  app = await new Ticketer(bin).start();
  app.cli(["user", "add", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin", "--password-stdin"], PASSWORD + "\n");
  app.cli(["mailbox", "add", "--name", "Help", "--address", "help@example.com", "--smtp-relay", `smtp://127.0.0.1:${sink.port}`]);
  await app.serve();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sink?.close();
});

test("an agent forwards the conversation; the third party's answer comes back as theirs", async () => {
  await sendMail(app.smtpPort, {
    from: "carol@example.org",
    to: "help@example.com",
    data: mime({ from: "Carol <carol@example.org>", to: "help@example.com", subject: "Broken pump FWD-1", messageId: "fwd1@example.org",
      text: "The pump makes a noise.", attachments: [{ name: "noise.txt", type: "text/plain", data: "grr grr" }] }),
  });
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\/(mine|unassigned)$/);
  await page.goto(`${app.url}/queue/all`);
  await page.getByRole("link", { name: "Broken pump FWD-1" }).click();
  await page.getByText("The pump makes a noise.").waitFor();
  const acks = () => sink.messages.filter((m) => /Auto-Submitted: auto-replied/i.test(m.data)).length;
  await waitFor(() => acks() === 1, { timeout: 30_000, what: "the acknowledgement at the relay" });

  await page.getByRole("button", { name: "Forward", exact: true }).click();
  const sheet = page.getByRole("dialog", { name: "Forward to a third party" });
  await sheet.getByLabel("To", { exact: true }).fill("parts@vendor.test");
  await sheet.getByLabel("Message", { exact: true }).fill("Do you have a spare for this pump?");
  await sheet.getByRole("checkbox").first().waitFor();
  await page.screenshot({ path: join(shots, "forward-01-sheet.png") });
  await sheet.getByRole("button", { name: "Send forward" }).click();
  const fwd = page.getByRole("article", { name: /Forwarded to a third party/ });
  await fwd.waitFor();

  const relayed = await waitFor(() => sink.messages.find((m) => m.to.some((r) => r.includes("parts@vendor.test"))), { timeout: 30_000, what: "the forward at the relay" });
  assert.match(relayed.data, /Subject: Fwd: Broken pump FWD-1 \[#\d+\]/);
  assert.match(relayed.data, /The pump makes a noise\./);
  assert.match(relayed.data, /Do you have a spare for this pump\?/);
  assert.match(relayed.data, /filename="?noise\.txt/);
  assert.doesNotMatch(relayed.data, /We have received your message/);
  assert.doesNotMatch(relayed.data, /^In-Reply-To:/m);
  const forwardId = relayed.data.match(/^Message-I[dD]: <([^>]+)>/m)[1];
  assert.notEqual(forwardId, "fwd1@example.org");

  // The third party answers the forward.
  await sendMail(app.smtpPort, {
    from: "parts@vendor.test",
    to: "help@example.com",
    data: `From: Vendor Parts <parts@vendor.test>\r\nTo: help@example.com\r\nSubject: Re: Fwd: Broken pump FWD-1\r\nMessage-ID: <v1@vendor.test>\r\n` +
      `In-Reply-To: <${forwardId}>\r\nReferences: <${forwardId}>\r\nDate: ${new Date().toUTCString()}\r\n\r\nSpare part 7 is in stock.\r\n`,
  });
  const answer = page.getByRole("article", { name: /From a third party/ });
  await answer.getByText("Spare part 7 is in stock.").waitFor({ timeout: 30_000 });
  // The requester is still Carol, and nobody acknowledged the vendor.
  await page.locator(".side").getByText("carol@example.org").first().waitFor();
  assert.equal(acks(), 1, "the third party is never acknowledged");
  assert.ok(!sink.messages.some((m) => m.to.some((r) => r.includes("parts@vendor.test")) && /Auto-Submitted/i.test(m.data)));
  await page.getByText(/forwarded messages to parts@vendor\.test/).first().waitFor();
  await page.screenshot({ path: join(shots, "forward-02-answer.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  await answer.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, "forward-03-phone.png") });
  assert.deepEqual(consoleErrors, []);
});
