// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { click, render, serve, settle, type as typeText, type Rendered, type Served } from "../test/render";
import { InvitePage } from "./Invite";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

const user = { id: 7, email: "nia@acme.test", name: "Nia New", role: "agent" };
const invitation = () => ({ email: user.email, name: user.name, expires_at: "2026-11-09T10:00:00Z" });
const conflict = (message: string) => new Response(JSON.stringify({ error: { code: "conflict", message } }), { status: 409 });

async function open(routes: Record<string, (req: Served) => unknown>) {
  const seen = serve(routes);
  r = await render(<InvitePage />, { path: "/invite/tki_abc", route: "/invite/:token" });
  await settle();
  return seen;
}
const inputs = () => [...r!.container.querySelectorAll<HTMLInputElement>('input[type="password"]')];
const submit = () => r!.container.querySelector<HTMLButtonElement>('button[type="submit"]')!;

describe("the invitation page", () => {
  it("says whom the link is for, sets the password and signs in", async () => {
    const seen = await open({
      "GET /api/v1/auth/invitations/tki_abc": invitation,
      "POST /api/v1/auth/invitations/tki_abc": () => ({ user, csrf_token: "c", expires_at: "2026-12-01T10:00:00Z" }),
    });
    expect(r!.container.textContent).toContain("Nia New (nia@acme.test)");
    const [pw, again] = inputs();
    await typeText(pw, "a long new password");
    await typeText(again, "a long new passwor");
    expect(submit().disabled).toBe(true);
    expect(r!.container.textContent).toContain("The two passwords differ.");
    await typeText(again, "a long new password");
    expect(submit().disabled).toBe(false);
    await click(submit());
    await settle();
    const post = seen.find((s) => s.method === "POST")!;
    expect(JSON.parse(String(post.body))).toEqual({ password: "a long new password" });
    expect(r!.location()).toBe("/");
  });

  it("shows why a used or expired link cannot work, and no form", async () => {
    await open({ "GET /api/v1/auth/invitations/tki_abc": () => conflict("this invitation link was used already; ask an admin for a new one") });
    expect(r!.container.querySelector('[role="alert"]')?.textContent).toContain("used already");
    expect(inputs()).toHaveLength(0);
  });

  it("keeps the form and shows the server's rule when it refuses the password", async () => {
    await open({
      "GET /api/v1/auth/invitations/tki_abc": invitation,
      "POST /api/v1/auth/invitations/tki_abc": () =>
        new Response(JSON.stringify({ error: { code: "invalid", message: "password: must be at least 10 characters", field: "password" } }), { status: 422 }),
    });
    const [pw, again] = inputs();
    await typeText(pw, "short");
    await typeText(again, "short");
    await click(submit());
    await settle();
    expect(r!.container.querySelector('[role="alert"]')?.textContent).toContain("at least 10 characters");
    expect(r!.location()).toBe("/invite/tki_abc");
  });
});
