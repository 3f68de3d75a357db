// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { click, render, serve, settle, type as typeText, type Rendered } from "../test/render";
import { AccountPage } from "./Account";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

const me = { id: 2, email: "al@acme.test", name: "Al Agent", role: "agent" };

async function open(answer: () => unknown) {
  const seen = serve({
    "POST /api/v1/me/password": answer,
    "GET /api/v1/notifications": () => ({ items: [], unread: 0, settings: { assigned: { app: true, email: true } } }),
  });
  r = await render(<AccountPage />, { path: "/account", outlet: me });
  const [current, pw, again] = [...r.container.querySelectorAll<HTMLInputElement>('input[type="password"]')];
  await typeText(current, "my old password");
  await typeText(pw, "my new long password");
  await typeText(again, "my new long password");
  await click(r.container.querySelector<HTMLButtonElement>('button[type="submit"]')!);
  await settle();
  return seen;
}

describe("my account", () => {
  it("changes the password with the current one", async () => {
    const seen = await open(() => new Response(null, { status: 204 }));
    expect(JSON.parse(String(seen.find((s) => s.method === "POST")!.body))).toEqual({ current: "my old password", new: "my new long password" });
    expect(r!.container.querySelector('[role="status"]')?.textContent).toContain("Password changed");
    expect([...r!.container.querySelectorAll<HTMLInputElement>('input[type="password"]')].map((i) => i.value)).toEqual(["", "", ""]);
  });

  it("says when the current password is wrong, and keeps what was typed", async () => {
    await open(() => new Response(JSON.stringify({ error: { code: "invalid", message: "current: is not your current password", field: "current" } }), { status: 422 }));
    expect(r!.container.querySelector('[role="alert"]')?.textContent).toContain("is not your current password");
    expect(r!.container.querySelector<HTMLInputElement>('input[autocomplete="current-password"]')!.value).toBe("my old password");
  });
});
