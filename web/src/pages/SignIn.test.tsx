// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { render, serve, settle, type Rendered } from "../test/render";
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
