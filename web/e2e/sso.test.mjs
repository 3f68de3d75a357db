// Single sign-on in a real browser against the real binary and an OpenID
// Connect provider written here (node:http + node:crypto): discovery, an
// authorize page with a Continue button, a token endpoint that checks the
// client secret, the code and the PKCE verifier, and RS256 ID tokens signed
// with a key published in the JWKS. SSO is the only way (TICKETER_OIDC_ONLY)
// with ada@example.com as the break-glass admin.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { mkdirSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary, freePort, launchChromium, signIn, Ticketer, webDir } from "./harness.mjs";

const shots = join(webDir, "e2e", "screenshots");
mkdirSync(shots, { recursive: true });
const PASSWORD = "correct horse battery";
const CLIENT_ID = "ticketer-e2e";
const CLIENT_SECRET = "s3cret/with+chars";
let app, idp, browser, page;
const consoleErrors = [];

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/** testProvider is a small OpenID Connect provider; user is who signs in at its page. */
async function testProvider() {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = "e2e-key-1";
  const codes = new Map();
  const p = { issuer, user: null, tokens: 0 };
  const json = (res, status, body) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const idToken = (claims) => {
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
    const body = b64url(JSON.stringify(claims));
    return `${header}.${body}.${b64url(sign("sha256", Buffer.from(`${header}.${body}`), privateKey))}`;
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, issuer);
    if (url.pathname === "/.well-known/openid-configuration") {
      return json(res, 200, {
        issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (url.pathname === "/jwks") return json(res, 200, { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] });
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      if (q.get("client_id") !== CLIENT_ID || q.get("code_challenge_method") !== "S256" || !q.get("nonce") || q.get("scope") !== "openid email profile") {
        res.writeHead(400).end("bad authorization request");
        return;
      }
      res.writeHead(200, { "Content-Type": "text/html" });
      const hidden = [...q].map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, "&quot;")}">`).join("");
      return res.end(`<!doctype html><meta name=viewport content="width=device-width"><title>Test IdP</title>
        <body style="font-family:sans-serif;display:grid;place-items:center;min-height:90vh;background:#eef">
        <form action="/approve" style="background:#fff;padding:24px;border-radius:8px">
        <h1>Test identity provider</h1><p>Sign in to Ticketer as <b>${p.user.email}</b>?</p>${hidden}
        <button type="submit">Continue</button></form>`);
    }
    if (url.pathname === "/approve") {
      const q = url.searchParams;
      const code = b64url(randomBytes(16));
      codes.set(code, { nonce: q.get("nonce"), challenge: q.get("code_challenge"), redirect: q.get("redirect_uri"), user: p.user });
      const back = new URL(q.get("redirect_uri"));
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state"));
      res.writeHead(302, { Location: back.toString() }).end();
      return;
    }
    if (url.pathname === "/token" && req.method === "POST") {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      const form = new URLSearchParams(raw);
      let [id, secret] = [form.get("client_id"), form.get("client_secret")];
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
      if (basic) {
        // RFC 6749 2.3.1: both form-encoded before Basic.
        [id, secret] = Buffer.from(basic[1], "base64").toString().split(":").map((s) => decodeURIComponent(s.replace(/\+/g, " ")));
      }
      if (id !== CLIENT_ID || secret !== CLIENT_SECRET) return json(res, 401, { error: "invalid_client" });
      const grant = codes.get(form.get("code"));
      codes.delete(form.get("code"));
      const challenge = b64url(createHash("sha256").update(form.get("code_verifier") ?? "").digest());
      if (!grant || grant.challenge !== challenge || grant.redirect !== form.get("redirect_uri")) return json(res, 400, { error: "invalid_grant" });
      p.tokens++;
      const now = Math.floor(Date.now() / 1000);
      return json(res, 200, {
        access_token: b64url(randomBytes(16)), token_type: "Bearer", expires_in: 3600,
        id_token: idToken({ iss: issuer, aud: CLIENT_ID, sub: grant.user.sub, iat: now, exp: now + 600, nonce: grant.nonce,
          email: grant.user.email, email_verified: true, name: grant.user.name }),
      });
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  p.close = () => new Promise((r) => server.close(r));
  return p;
}

before(async () => {
  idp = await testProvider();
  const bin = buildBinary(join(tmpdir(), `ticketer-e2e-sso-${process.pid}`));
  app = await new Ticketer(bin, {
    env: {
      TICKETER_OIDC_ISSUER: idp.issuer, TICKETER_OIDC_CLIENT_ID: CLIENT_ID, TICKETER_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      TICKETER_OIDC_ALLOWED_DOMAINS: "example.com", TICKETER_OIDC_ONLY: "true", TICKETER_OIDC_BREAK_GLASS: "ada@example.com",
    },
  }).start();
  app.cli(["user", "add", "--email", "ada@example.com", "--name", "Ada Admin", "--role", "admin", "--password-stdin"], PASSWORD + "\n");
  app.cli(["user", "add", "--email", "bob@example.com", "--name", "Bob Agent", "--role", "agent", "--password-stdin"], PASSWORD + "\n");
  app.cli(["mailbox", "add", "--name", "Help", "--address", "help@example.com"]);
  await app.serve();
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  // The test provider's own page (its missing favicon) is not ours to check.
  page.on("console", (m) => m.type() === "error" && !/401|403/.test(m.text()) && !m.location().url.startsWith(idp.issuer) &&
    consoleErrors.push(`${m.text()} at ${m.location().url}`));
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await idp?.close();
});

const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

test("a new agent signs in with SSO and is created just in time", async () => {
  idp.user = { sub: "idp-grace", email: "Grace@Example.com", name: "Grace Hopper" };
  await page.goto(`${app.url}/signin`);
  const sso = page.getByRole("link", { name: "Sign in with SSO" });
  await sso.waitFor();
  assert.equal(await page.getByLabel("Password").isVisible(), false, "the password form is folded away");
  await shot("sso-01-signin");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot("sso-02-signin-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await sso.click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(/\/queue\//);
  await page.getByText("Grace Hopper").first().waitFor();
  await shot("sso-03-signed-in");
  assert.equal(idp.tokens, 1);
  const me = await page.evaluate(async () => (await fetch("/api/v1/me")).json());
  assert.equal(me.email, "grace@example.com");
  assert.equal(me.role, "agent");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin/);
});

test("a domain not allowed is refused and told why", async () => {
  idp.user = { sub: "idp-eve", email: "eve@evil.test", name: "Eve" };
  await page.getByRole("link", { name: "Sign in with SSO" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(/sso_error=domain/);
  await page.getByRole("alert").filter({ hasText: "email domain is not allowed" }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await shot("sso-04-refused-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
});

test("passwords are refused but for the break-glass admin", async () => {
  await page.goto(`${app.url}/signin`);
  await page.getByText("Break-glass admin sign-in").click();
  await signIn(page, "bob@example.com", PASSWORD);
  await page.getByRole("alert").filter({ hasText: "sign in with SSO" }).waitFor();
  await shot("sso-05-password-refused");
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(/\/queue\//);
  await page.getByText("Ada Admin").first().waitFor();
});

test("no console errors", () => {
  assert.deepEqual(consoleErrors, []);
});
