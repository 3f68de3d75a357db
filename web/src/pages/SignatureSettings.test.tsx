// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { click, render, serve, settle, type, type Rendered } from "../test/render";
import { SignatureSettings } from "./SignatureSettings";

let r: Rendered | undefined;
afterEach(() => r?.unmount());

describe("the signature settings", () => {
  it("shows my signature and saves a new one with PATCH /me", async () => {
    let sig = "Bo";
    const seen = serve({
      "GET /api/v1/me": () => ({ id: 2, email: "bo@x.test", name: "Bo", signature: sig }),
      "PATCH /api/v1/me": (req) => {
        sig = JSON.parse(String(req.body)).signature;
        return { id: 2, email: "bo@x.test", name: "Bo", signature: sig };
      },
    });
    r = await render(<SignatureSettings />);
    await settle();
    const box = r.container.querySelector<HTMLTextAreaElement>("textarea[name=signature]")!;
    expect(box.value).toBe("Bo");
    await type(box, "Bo, {{agent.name}}");
    await click([...r.container.querySelectorAll("button")].find((b) => b.textContent === "Save signature")!);
    await settle();
    expect(seen.filter((s) => s.method === "PATCH").map((s) => JSON.parse(String(s.body)))).toEqual([{ signature: "Bo, {{agent.name}}" }]);
    expect(box.value).toBe("Bo, {{agent.name}}");
  });
});
