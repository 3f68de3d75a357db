// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { click, render, serve, settle, type, type Rendered } from "../test/render";
import { SignInPage } from "./SignIn";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

const devButton = () => [...r!.container.querySelectorAll("button")].find((b) => /Dev sign-in/.test(b.textContent ?? ""));

describe("the dev sign-in button", () => {
  it.each([
    [true, true],
    [false, false],
  ])("dev_login %s: shown %s", async (devLogin, shown) => {
    serve({ "GET /api/v1/auth/config": () => ({ dev_login: devLogin }) });
    r = await render(<SignInPage />, { path: "/signin" });
    await settle();
    expect(!!devButton()).toBe(shown);
  });

  it("is not shown while the server has not said, or when it cannot say", async () => {
    serve({ "GET /api/v1/auth/config": () => new Response("{}", { status: 500 }) });
    r = await render(<SignInPage />, { path: "/signin" });
    expect(devButton()).toBeUndefined();
    await settle();
    expect(devButton()).toBeUndefined();
  });
});

describe("two-factor", () => {
  it("shows the code field when the server answers totp_required, and sends the code", async () => {
    const seen = serve({
      "GET /api/v1/auth/config": () => ({ dev_login: false }),
      "POST /api/v1/auth/login": (req) =>
        JSON.parse(String(req.body)).totp
          ? new Response(JSON.stringify({ error: { code: "totp_invalid", message: "wrong, expired or already used two-factor code" } }), { status: 401 })
          : new Response(JSON.stringify({ error: { code: "totp_required", message: "send the code" } }), { status: 401 }),
    });
    r = await render(<SignInPage />, { path: "/signin" });
    await settle();
    const q = (sel: string) => r!.container.querySelector(sel) as HTMLInputElement | null;
    expect(q("input[name=totp]")).toBeNull();
    await type(q("input[name=email]")!, "ada@example.com");
    await type(q("input[name=password]")!, "a long password");
    await click(r.container.querySelector("button[type=submit]")!);
    await settle();
    expect(q("input[name=totp]")).not.toBeNull();
    expect(r.container.querySelector("[role=alert]")).toBeNull(); // being asked is no error
    await type(q("input[name=totp]")!, "123456");
    await click(r.container.querySelector("button[type=submit]")!);
    await settle();
    expect(JSON.parse(String(seen.at(-1)!.body))).toEqual({ email: "ada@example.com", password: "a long password", totp: "123456" });
    expect(r.container.querySelector("[role=alert]")?.textContent).toMatch(/two-factor code/);
  });
});

describe("single sign-on", () => {
  const ssoLink = () => r!.container.querySelector("a.sso-button") as HTMLAnchorElement | null;

  it.each([
    [true, true],
    [false, false],
  ])("sso %s: the button is shown %s", async (sso, shown) => {
    serve({ "GET /api/v1/auth/config": () => ({ dev_login: false, sso, password_login: true }) });
    r = await render(<SignInPage />, { path: "/signin?next=%2Ftickets%2F7" });
    await settle();
    expect(!!ssoLink()).toBe(shown);
    if (shown) expect(ssoLink()!.getAttribute("href")).toBe("/api/v1/auth/oidc/start?next=%2Ftickets%2F7");
  });

  it("folds the password form away for the break-glass admin when SSO is the only way", async () => {
    serve({ "GET /api/v1/auth/config": () => ({ dev_login: false, sso: true, password_login: false }) });
    r = await render(<SignInPage />, { path: "/signin" });
    await settle();
    const details = r.container.querySelector("details.break-glass");
    expect(details?.querySelector("summary")?.textContent).toMatch(/Break-glass admin/);
    expect(details?.querySelector("input[name=password]")).not.toBeNull();
  });

  it("says why a sign-in was refused", async () => {
    serve({ "GET /api/v1/auth/config": () => ({ dev_login: false, sso: true, password_login: true }) });
    r = await render(<SignInPage />, { path: "/signin?sso_error=domain" });
    await settle();
    expect(r.container.querySelector("[role=alert]")?.textContent).toMatch(/email domain is not allowed/);
  });
});
