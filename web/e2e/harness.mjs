// Test harness for the browser tests: builds and starts the real binary on
// free ports with a temporary data dir, speaks SMTP to it, and runs the
// small servers the tests need (an SMTP relay sink, a "remote" image host).
import { execFileSync, spawn } from "node:child_process";
import { afterEach } from "node:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import http from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const webDir = resolve(new URL("..", import.meta.url).pathname);
export const repoDir = resolve(webDir, "..");

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** buildBinary compiles ./cmd/ticketer with the built UI embedded. */
export function buildBinary(out) {
  if (!existsSync(join(webDir, "dist", "index.html"))) {
    throw new Error("web/dist/index.html is missing: run `npm run build` in web/ first");
  }
  execFileSync("go", ["build", "-o", out, "./cmd/ticketer"], { cwd: repoDir, stdio: "inherit" });
  return out;
}

// The servers of this test file still running: when a test fails, the end of
// each one's log is printed, so a failure on CI says what the server saw.
const running = new Set();
afterEach((t) => {
  if (t.passed) return;
  for (const app of running) {
    console.error(`--- the last lines of ${app.bin}'s log (${t.name} failed):\n${app.log.join("").split("\n").slice(-60).join("\n")}`);
  }
});

export class Ticketer {
  constructor(bin, { devLogin = false, env = {} } = {}) {
    this.bin = bin;
    this.devLogin = devLogin;
    this.extraEnv = env; // more TICKETER_* settings of a scenario
    this.dataDir = mkdtempSync(join(tmpdir(), "ticketer-e2e-"));
    this.log = [];
  }

  env() {
    return {
      ...process.env,
      TICKETER_DATA_DIR: this.dataDir,
      TICKETER_HTTP_ADDR: `127.0.0.1:${this.httpPort}`,
      TICKETER_SMTP_ADDR: `127.0.0.1:${this.smtpPort}`,
      TICKETER_BASE_URL: `http://127.0.0.1:${this.httpPort}`,
      TICKETER_ALLOW_DEV_LOGIN: String(this.devLogin),
      // The test relays listen on loopback: "Test connection" may reach them.
      TICKETER_ALLOW_PRIVATE_TARGETS: "127.0.0.0/8",
      // info: a failing test prints the end of this log (mail accepted, ingested, sent).
      TICKETER_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "info",
      ...this.extraEnv,
    };
  }

  /** cli runs a ticketer command against the same data dir. */
  cli(args, input) {
    return execFileSync(this.bin, args, { env: this.env(), input, encoding: "utf8" }).trim();
  }

  /**
   * outboxMails returns the texts of the mails in the outbox (none before
   * the server makes it). The server writes each as a ".tmp-" file and
   * renames it to its final ".eml" name, which it never removes: only ".eml"
   * files are finished, and they stay there to be read.
   */
  outboxMails() {
    const dir = join(this.dataDir, "outbox");
    let names = [];
    try {
      names = readdirSync(dir);
    } catch (e) {
      if (e.code === "ENOENT") return [];
      throw e;
    }
    return names.filter((n) => n.endsWith(".eml")).map((n) => readFileSync(join(dir, n), "utf8"));
  }

  async start() {
    this.httpPort = await freePort();
    this.smtpPort = await freePort();
    this.url = `http://127.0.0.1:${this.httpPort}`;
    this.cli(["migrate"]);
    return this;
  }

  async serve() {
    this.proc = spawn(this.bin, ["serve"], { env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
    running.add(this);
    const keep = (d) => {
      this.log.push(String(d));
      if (this.log.length > 500) this.log.shift();
    };
    this.proc.stdout.on("data", keep);
    this.proc.stderr.on("data", keep);
    this.exited = new Promise((res) => this.proc.once("exit", res));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${this.url}/readyz`);
        if (r.ok) return this;
      } catch {
        /* not up yet */
      }
      if (this.proc.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error("ticketer did not start:\n" + this.log.join(""));
  }

  async stop() {
    running.delete(this);
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill("SIGTERM");
      await Promise.race([this.exited, sleep(10_000)]);
      if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(fn, { timeout = 10_000, interval = 100, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(interval);
  }
  throw new Error(`timed out waiting for ${what}${last ? ": " + last.message : ""}`);
}

/**
 * showsValue waits until a field shows want: a select whose options load after
 * the form (agents, teams, webhooks) shows "" until they arrive.
 */
export async function showsValue(field, want, what = "the field's value") {
  let got;
  try {
    await waitFor(async () => (got = await field.inputValue()) === want, { what });
  } catch (e) {
    throw new Error(`${e.message}: it shows ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
}

/** sendMail delivers one message over SMTP (a minimal client). */
export async function sendMail(port, { from, to, data }) {
  const { Socket } = await import("node:net");
  const sock = new Socket();
  await new Promise((res, rej) => sock.connect(port, "127.0.0.1", res).once("error", rej));
  let buf = "";
  const waiters = [];
  sock.on("data", (d) => {
    buf += d;
    for (;;) {
      const lines = buf.split("\r\n");
      const end = lines.findIndex((l) => /^\d{3} /.test(l));
      if (end < 0) break;
      const reply = lines.slice(0, end + 1).join("\n");
      buf = lines.slice(end + 1).join("\r\n");
      waiters.shift()?.(reply);
    }
  });
  const expect = (code) =>
    new Promise((res, rej) =>
      waiters.push((reply) => (reply.startsWith(String(code)) ? res(reply) : rej(new Error(`SMTP: want ${code}, got ${reply}`)))),
    );
  const cmd = async (line, code) => {
    const p = expect(code);
    sock.write(line + "\r\n");
    return p;
  };
  await expect(220);
  await cmd("EHLO e2e.test", 250);
  await cmd(`MAIL FROM:<${from}>`, 250);
  await cmd(`RCPT TO:<${to}>`, 250);
  await cmd("DATA", 354);
  const body = data.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
  await cmd(body + "\r\n.", 250);
  await cmd("QUIT", 221);
  sock.end();
}

/** smtpSink is a minimal SMTP server that records what it receives (the relay). */
export async function smtpSink() {
  const messages = [];
  const port = await freePort();
  const server = createServer((sock) => {
    let data = null;
    let buf = "";
    const msg = { from: "", to: [], data: "" };
    sock.write("220 sink.test ESMTP\r\n");
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        if (data !== null) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          data += buf.slice(0, end);
          buf = buf.slice(end + 5);
          messages.push({ ...msg, to: [...msg.to], data: data.replace(/^\.\./gm, ".") });
          msg.to = [];
          data = null;
          sock.write("250 queued\r\n");
          continue;
        }
        const i = buf.indexOf("\r\n");
        if (i < 0) return;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") sock.write("250-sink.test\r\n250 8BITMIME\r\n");
        else if (verb === "HELO") sock.write("250 sink.test\r\n");
        else if (verb === "MAIL") (msg.from = line), sock.write("250 ok\r\n");
        else if (verb === "RCPT") msg.to.push(line), sock.write("250 ok\r\n");
        else if (verb === "DATA") (data = ""), sock.write("354 go on\r\n");
        else if (verb === "QUIT") sock.end("221 bye\r\n");
        else if (verb === "RSET" || verb === "NOOP") sock.write("250 ok\r\n");
        else sock.write("502 not implemented\r\n");
      }
    });
    sock.on("error", () => {});
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { port, messages, close: () => new Promise((r) => server.close(r)) };
}

/** imageHost plays a remote web server that mail tries to load images from. */
export async function imageHost() {
  const requests = [];
  const port = await freePort();
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
  const server = http.createServer((req, res) => {
    requests.push(req.url);
    res.writeHead(200, { "Content-Type": "image/png" });
    res.end(png);
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { port, requests, close: () => new Promise((r) => server.close(r)) };
}

/** mime builds a multipart message with attachments. */
export function mime({ from, to, subject, messageId, text, html, attachments = [], headers = {} }) {
  const b = "b1_" + Math.random().toString(36).slice(2);
  const alt = "b2_" + Math.random().toString(36).slice(2);
  const head = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    "MIME-Version: 1.0",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    `Content-Type: multipart/mixed; boundary="${b}"`,
    "",
  ];
  const parts = [];
  const body = html
    ? [`Content-Type: multipart/alternative; boundary="${alt}"`, "", `--${alt}`, "Content-Type: text/plain; charset=utf-8", "", text, `--${alt}`, "Content-Type: text/html; charset=utf-8", "", html, `--${alt}--`].join("\r\n")
    : ["Content-Type: text/plain; charset=utf-8", "", text].join("\r\n");
  parts.push(body);
  for (const a of attachments) {
    // With a cid, the part is an inline image the HTML shows as cid:<cid>.
    parts.push(
      [
        `Content-Type: ${a.type}; name="${a.name}"`,
        ...(a.cid ? [`Content-ID: <${a.cid}>`, `Content-Disposition: inline; filename="${a.name}"`] : [`Content-Disposition: attachment; filename="${a.name}"`]),
        "Content-Transfer-Encoding: base64",
        "",
        Buffer.from(a.data).toString("base64").replace(/(.{76})/g, "$1\r\n"),
      ].join("\r\n"),
    );
  }
  return head.join("\r\n") + "\r\n" + parts.map((p) => `--${b}\r\n${p}`).join("\r\n") + `\r\n--${b}--\r\n`;
}

/** launchChromium starts Debian's Chromium (or CHROMIUM_PATH) headless for playwright-core. */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** signIn fills the sign-in form the page shows and submits it. */
export async function signIn(page, email, password) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/**
 * startWithAdmin starts a server with one admin and one mailbox
 * (help@example.com), for scenarios that need nothing else.
 */
export async function startWithAdmin(name, password) {
  const bin = buildBinary(join(tmpdir(), `ticketer-e2e-${name}-${process.pid}`));
  const app = await new Ticketer(bin).start();
  app.cli(["user", "add", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin", "--password-stdin"], password + "\n");
  app.cli(["mailbox", "add", "--name", "Help", "--address", "help@example.com"]);
  return app.serve();
}
