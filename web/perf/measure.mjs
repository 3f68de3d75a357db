// Measures and prints the UI's speed figures (not a test: numbers vary by
// machine). Needs a built UI (npm run build) and Chromium.
//   1. gzipped JS+CSS of the first load, as served by the real binary;
//   2. time to interactive of the queue with 10,000 tickets (imported from a
//      generated mbox with `ticketer import`);
//   3. opening a ticket with 50 messages.
// Run: npm run perf  (from web/)
import { request } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { chromium } from "playwright-core";
import { Ticketer, buildBinary, webDir } from "../e2e/harness.mjs";

const TICKETS = Number(process.env.PERF_TICKETS ?? 10_000);
const THREAD = 50;
const PASSWORD = "correct horse battery";

function mbox() {
  const out = [];
  const date = (i) => new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString();
  const msg = (i, { id, subject, from, extra = "" }) =>
    `From ${from} ${new Date(Date.UTC(2026, 0, 1) + i * 60_000).toUTCString().replace(",", "")}\n` +
    `From: Customer ${i % 500} <${from}>\nTo: support@localhost\nSubject: ${subject}\nMessage-ID: <${id}>\nDate: ${date(i)}\n${extra}` +
    `Content-Type: text/plain; charset=utf-8\n\nHello,\n\nthis is message ${i}. Our order ${i * 7} did not arrive.\n` +
    `Could you look into it?\n\nThanks\n\n`;
  for (let i = 0; i < TICKETS - 1; i++) {
    out.push(msg(i, { id: `perf-${i}@perf.test`, subject: `Order ${i * 7} did not arrive`, from: `customer${i % 500}@perf.test` }));
  }
  for (let k = 0; k < THREAD; k++) {
    const i = TICKETS + k;
    const extra = k === 0 ? "" : `In-Reply-To: <thread-${k - 1}@perf.test>\nReferences: <thread-0@perf.test> <thread-${k - 1}@perf.test>\n`;
    out.push(msg(i, { id: `thread-${k}@perf.test`, subject: k === 0 ? "Long thread about the invoice" : "Re: Long thread about the invoice", from: "longthread@perf.test", extra }));
  }
  return out.join("");
}

function transferred(url) {
  return new Promise((res, rej) => {
    const req = request(url, { headers: { "Accept-Encoding": "gzip" } }, (r) => {
      let n = 0;
      r.on("data", (d) => (n += d.length));
      r.on("end", () => res({ bytes: n, encoding: r.headers["content-encoding"] ?? "identity" }));
    });
    req.on("error", rej);
    req.end();
  });
}

const ms = (n) => `${Math.round(n)} ms`;

const out = join(webDir, "perf", "out");
mkdirSync(out, { recursive: true });
const app = await new Ticketer(buildBinary(join(tmpdir(), `ticketer-perf-${process.pid}`))).start();
try {
  app.cli(["user", "add", "--email", "perf@example.com", "--name", "Perf Agent", "--role", "agent", "--password-stdin"], PASSWORD + "\n");
  const file = join(app.dataDir, "perf.mbox");
  writeFileSync(file, mbox());
  let t = performance.now();
  const summary = app.cli(["import", "--mailbox", "support@localhost", file]);
  console.log(`import of ${TICKETS - 1 + THREAD} messages: ${ms(performance.now() - t)} (${summary.replace(/\s+/g, " ")})`);
  await app.serve();

  // 1. First load, gzipped, as served.
  const html = await (await fetch(app.url + "/")).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  let total = 0;
  for (const a of assets) {
    const { bytes, encoding } = await transferred(app.url + a);
    total += bytes;
    console.log(`  ${a}: ${(bytes / 1024).toFixed(1)} KB (${encoding})`);
  }
  console.log(`first load JS+CSS: ${(total / 1024).toFixed(1)} KB gzipped (target < 350 KB)`);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const login = await context.request.post(app.url + "/api/v1/auth/login", { data: { email: "perf@example.com", password: PASSWORD } });
  if (!login.ok()) throw new Error("login: " + (await login.text()));

  // 2. The queue: navigation until the rows are there and j moves the selection.
  for (const run of ["cold", "warm", "warm"]) {
    const page = await context.newPage();
    t = performance.now();
    await page.goto(app.url + "/queue/open");
    await page.locator("table.queue tbody tr").first().waitFor();
    await page.keyboard.press("j");
    await page.locator('table.queue tbody tr[data-index="1"].selected').waitFor();
    const tti = performance.now() - t;
    const rows = await page.locator("table.queue tbody tr").count();
    const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0]?.domContentLoadedEventEnd ?? 0);
    console.log(`queue with ${TICKETS} tickets (${run} cache): interactive in ${ms(tti)} (${rows} rows shown, DOMContentLoaded ${ms(nav)}) (target < 1000 ms)`);
    if (run === "cold") await page.screenshot({ path: join(out, "queue-10k.png") });
    await page.close();
  }

  // 3. A ticket with 50 messages: from the queue, click, until all 50 are shown.
  for (const run of [1, 2, 3]) {
    const page = await context.newPage();
    await page.goto(app.url + "/queue/open?q=" + encodeURIComponent("Long thread about the invoice"));
    const link = page.getByRole("link", { name: "Long thread about the invoice" });
    await link.waitFor();
    // Timed inside the page, from the click to the 50th message in the DOM
    // and painted (next animation frame): no automation round trips.
    const open = await page.evaluate(
      (want) =>
        new Promise((resolve) => {
          const a = [...document.querySelectorAll("table.queue a")].find((x) => x.textContent === "Long thread about the invoice");
          const t0 = performance.now();
          const done = () => requestAnimationFrame(() => resolve(performance.now() - t0));
          const obs = new MutationObserver(() => {
            if (document.querySelectorAll("article.msg").length >= want) {
              obs.disconnect();
              done();
            }
          });
          obs.observe(document.body, { childList: true, subtree: true });
          a.click();
        }),
      THREAD,
    );
    const n = await page.locator("article.msg").count();
    console.log(`open a ticket with ${n} messages (run ${run}): ${ms(open)} from click to painted (target < 300 ms)`);
    if (run === 1) await page.screenshot({ path: join(out, "ticket-50.png"), fullPage: false });
    const ticketPath = new URL(page.url()).pathname;
    await page.close();
    // Nothing cached: a deep link, a full page load (app boot included),
    // from navigation start to the 50th message painted.
    const cold = await context.newPage();
    await cold.goto(app.url + ticketPath, { waitUntil: "commit" });
    const full = await cold.evaluate(
      (want) =>
        new Promise((resolve) => {
          const check = () =>
            document.querySelectorAll("article.msg").length >= want ? requestAnimationFrame(() => resolve(performance.now())) : setTimeout(check, 5);
          check();
        }),
      THREAD,
    );
    console.log(`  deep link ${ticketPath}, full page load: ${ms(full)} from navigation start to 50 messages painted`);
    await cold.close();
  }
  await browser.close();
} finally {
  await app.stop();
}
