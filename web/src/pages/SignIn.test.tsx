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
