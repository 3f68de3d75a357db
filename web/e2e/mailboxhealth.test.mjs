// A broken mailbox is noticed, in a real browser against the real binary:
// a mailbox whose IMAP server refuses its login (a small server here that
// answers NO [AUTHENTICATIONFAILED]) raises an alert at the next health
// check (at most a minute), every page shows the banner, the mailboxes page
// says why, /metrics has ticketer_mailbox_up 0, and the admin's alert mail
// lands in the outbox (no other mailbox has a relay that works).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { launchChromium, signIn, sleep, startWithAdmin, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
let app, browser, page, imap;

/** refusingIMAP answers the greeting and CAPABILITY, and refuses every login. */
function refusingIMAP() {
  return new Promise((resolve) => {
    const srv = createServer((sock) => {
      sock.write("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] test server ready\r\n");
      let buf = "";
      sock.on("data", (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf("\r\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const [tag, cmd = ""] = line.split(" ");
          const c = cmd.toUpperCase();
          if (c === "CAPABILITY") sock.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
          else if (c === "LOGIN" || c === "AUTHENTICATE") sock.write(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n`);
          else if (c === "LOGOUT") sock.end(`* BYE\r\n${tag} OK bye\r\n`);
          else sock.write(`${tag} BAD unknown\r\n`);
        }
      });
      sock.on("error", () => {});
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

before(async () => {
  imap = await refusingIMAP();
  app = await startWithAdmin("mailboxhealth", PASSWORD);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  imap?.close();
});

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

test("a mailbox whose login is refused shows a banner, a gauge at 0 and mails the admin", { timeout: 180_000 }, async () => {
  const port = imap.address().port;
  app.cli(["mailbox", "add", "--name", "Sales", "--address", "sales@example.com", "--imap", `imap://sales:secret@127.0.0.1:${port}/INBOX?tls=none`]);
  await page.goto(`${app.url}/signin`);
  await signIn(page, "ada@example.com", PASSWORD);
  await page.waitForURL(/\/queue\//);
  // The health check runs once a minute on the replica running the connectors.
  const banner = page.getByTestId("mailbox-alert");
  const deadline = Date.now() + 150_000;
  // Each reload fetches the mailboxes anew; the banner is looked for after the answer can arrive.
  for (;;) {
    try {
      await banner.waitFor({ timeout: 5000 });
      break;
    } catch {
      assert.ok(Date.now() < deadline, "no banner:\n" + app.log.join(""));
      await page.reload();
      await page.waitForURL(/\/queue\//);
    }
  }
  assert.match(await banner.textContent(), /Mailbox sales@example\.com is broken: the provider refused its credentials/);
  await shot("mailboxhealth-01-banner");
  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  assert.match(metrics, /ticketer_mailbox_up\{mailbox="sales@example\.com",provider="imap"\} 0/);
  assert.match(metrics, /ticketer_mailbox_up\{mailbox="help@example\.com",provider="smtp"\} 1/);
  await banner.getByRole("link", { name: "Open mailboxes" }).click();
  await page.waitForURL(/\/admin\/mailboxes$/);
  const card = page.getByRole("region", { name: "Mailbox Sales" });
  await card.getByText(/Broken since .*: the provider refused its credentials/).waitFor();
  await shot("mailboxhealth-02-mailboxes");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot("mailboxhealth-03-mailboxes-phone");
  // The alert mail: no other mailbox has a working relay, so the outbox has it.
  let mails = [];
  for (let i = 0; i < 50 && mails.length === 0; i++) {
    mails = app.outboxMails().filter((m) => m.includes("is broken"));
    if (mails.length === 0) await sleep(200);
  }
  assert.equal(mails.length, 1, "one alert mail");
  assert.match(mails[0], /Subject: Mailbox sales@example\.com is broken/);
  assert.match(mails[0], /ada@example\.com/);
});
