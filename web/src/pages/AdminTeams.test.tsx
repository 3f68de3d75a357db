// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { render, serve, settle, type Rendered } from "../test/render";
import { TeamsPage, awayHint } from "./AdminTeams";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

const ada = { id: 1, email: "ada@acme.test", name: "Ada Admin", role: "admin", disabled: false, created_at: "2026-01-01T10:00:00Z" };
const bo = { id: 2, email: "bo@acme.test", name: "Bo", role: "agent", disabled: false, created_at: "2026-01-02T10:00:00Z" };
const cy = { id: 3, email: "cy@acme.test", name: "Cy", role: "agent", disabled: false, created_at: "2026-01-03T10:00:00Z" };
const team = (id: number, name: string, member_ids: number[], away_ids: number[]) => ({
  id,
  name,
  member_ids,
  away_ids,
  assignment: "round_robin",
  max_open_per_agent: 0,
  created_at: "2026-01-04T10:00:00Z",
});

describe("the teams page", () => {
  it("marks the members who are away, team by team", async () => {
    serve({
      "GET /api/v1/users": () => ({ items: [ada, bo, cy] }),
      "GET /api/v1/teams": () => ({ items: [team(7, "Billing", [2, 3], [3]), team(8, "Sales", [1, 2], [])] }),
    });
    r = await render(<TeamsPage />, { path: "/admin/teams", outlet: ada });
    await settle();
    const awayIn = (name: string) =>
      [...r!.container.querySelectorAll(`form[aria-label="Team ${name}"] .team-member`)].filter((l) => l.querySelector(".away")).map((l) => l.textContent?.replace("Away", "").trim());
    expect(awayIn("Billing")).toEqual(["Cy"]);
    expect(awayIn("Sales")).toEqual([]);
    expect(r.container.querySelector('form[aria-label="Team Billing"]')!.textContent).toContain("1 of 2 members away");
    expect(r.container.querySelector('form[aria-label="Add a team"] .away')).toBeNull();
  });
});

describe("awayHint", () => {
  const agents = [bo, cy, { ...ada, disabled: true }];
  it.each([
    ["nobody away", team(1, "t", [2, 3], []), ""],
    ["one of two", team(1, "t", [2, 3], [3]), "1 of 2 members away: automatic assignment skips them until they are back."],
    ["everyone", team(1, "t", [2, 3], [2, 3]), "All 2 members are away: automatic assignment skips them until they are back."],
    ["the only one", team(1, "t", [2], [2]), "The only member is away: automatic assignment skips them until they are back."],
    ["a disabled member does not count", team(1, "t", [1, 2], [1]), ""],
  ])("%s", (_, t, want) => expect(awayHint(t, agents)).toBe(want));
  it("says nothing for a new team", () => expect(awayHint(undefined, agents)).toBe(""));
});
