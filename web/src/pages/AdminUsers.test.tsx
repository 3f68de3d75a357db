// @vitest-environment jsdom
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { click, render, serve, settle, type as typeText, type Rendered, type Served } from "../test/render";
import { UsersPage } from "./AdminUsers";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

const ada = { id: 1, email: "ada@acme.test", name: "Ada Admin", role: "admin", disabled: false, created_at: "2026-01-01T10:00:00Z" };
const al = { id: 2, email: "al@acme.test", name: "Al Agent", role: "agent", disabled: false, created_at: "2026-01-02T10:00:00Z" };
const link = { url: "http://127.0.0.1:8080/invite/tki_xyz", expires_at: "2026-11-09T10:00:00Z" };

let seen: Served[];
async function open(extra: Record<string, (req: Served) => unknown> = {}) {
  seen = serve({ "GET /api/v1/users": () => ({ items: [ada, al] }), ...extra });
  r = await render(<UsersPage />, { path: "/admin/users", outlet: ada });
  await settle();
}
const q = <T extends Element>(sel: string) => r!.container.querySelector<T>(sel)!;
const button = (name: string, within: ParentNode = r!.container) =>
  [...within.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === name)!;
const row = (email: string) => [...r!.container.querySelectorAll("tbody tr")].find((tr) => tr.textContent?.includes(email))!;
const sent = (method: string, url: string) => seen.filter((s) => s.method === method && s.url === url).map((s) => (s.body ? JSON.parse(String(s.body)) : null));

describe("user administration", () => {
  it("edits a user's name and role", async () => {
    await open({ "PATCH /api/v1/users/2": () => ({ ...al, name: "Al Admin", role: "admin" }) });
    await click(button("Edit", row("al@acme.test")));
    await typeText(q('input[aria-label="Name of al@acme.test"]'), "Al Admin");
    const role = q<HTMLSelectElement>('select[aria-label="Role of al@acme.test"]');
    await act(async () => {
      role.value = "admin";
      role.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await click(button("Save", row("al@acme.test")));
    await settle();
    expect(sent("PATCH", "/api/v1/users/2")).toEqual([{ name: "Al Admin", role: "admin" }]);
    expect(r!.container.querySelector('input[aria-label="Name of al@acme.test"]')).toBeNull();
  });

  it("an admin editing themselves cannot change their own role", async () => {
    await open({ "PATCH /api/v1/users/1": () => ada });
    await click(button("Edit", row("ada@acme.test")));
    expect(q<HTMLSelectElement>('select[aria-label="Role of ada@acme.test"]').disabled).toBe(true);
    await click(button("Save", row("ada@acme.test")));
    await settle();
    expect(sent("PATCH", "/api/v1/users/1")).toEqual([{ name: "Ada Admin" }]);
  });

  it("sets a user's password", async () => {
    await open({ "PATCH /api/v1/users/2": () => al });
    await click(button("Password", row("al@acme.test")));
    const panel = q('[aria-label="Password of al@acme.test"]');
    await typeText(panel.querySelector<HTMLInputElement>('input[type="password"]')!, "a long new password");
    await click(button("Set password", panel));
    await settle();
    expect(sent("PATCH", "/api/v1/users/2")).toEqual([{ password: "a long new password" }]);
    expect(panel.querySelector('[role="status"]')?.textContent).toContain("Password of al@acme.test set");
  });

  it("makes a reset link to copy", async () => {
    await open({ "POST /api/v1/users/2/invite": () => ({ ...link, mail_error: "dial tcp: connection refused" }) });
    await click(button("Password", row("al@acme.test")));
    await click(button("Make a reset link"));
    await settle();
    expect(sent("POST", "/api/v1/users/2/invite")).toHaveLength(1);
    expect(q<HTMLInputElement>('input[aria-label="Invitation link for al@acme.test"]').value).toBe(link.url);
    expect(r!.container.textContent).toContain("Send this link to al@acme.test yourself: it could not be mailed (dial tcp: connection refused)");
  });

  it("adding a user without a password shows their invitation link", async () => {
    await open({ "POST /api/v1/users": () => ({ id: 3, email: "nia@acme.test", name: "Nia", role: "agent", invitation: { ...link, mailed_to: "nia@acme.test" } }) });
    const form = q('form[aria-labelledby="new-user"]');
    const [name, email] = [...form.querySelectorAll<HTMLInputElement>("input")];
    await typeText(name, "Nia");
    await typeText(email, "nia@acme.test");
    await click(button("Add user"));
    await settle();
    expect(sent("POST", "/api/v1/users")).toEqual([{ email: "nia@acme.test", name: "Nia", role: "agent" }]);
    expect(q<HTMLInputElement>('input[aria-label="Invitation link for nia@acme.test"]').value).toBe(link.url);
    expect(r!.container.textContent).not.toContain("can now sign in");
    expect(r!.container.textContent).toContain("The link was mailed to nia@acme.test");
  });

  it("disables and enables, but never the admin themselves", async () => {
    await open({ "PATCH /api/v1/users/2": () => ({ ...al, disabled: true }) });
    expect(button("Disable", row("ada@acme.test")).disabled).toBe(true);
    await click(button("Disable", row("al@acme.test")));
    await settle();
    expect(sent("PATCH", "/api/v1/users/2")).toEqual([{ disabled: true }]);
  });
});
