import { describe, expect, it } from "vitest";
import { safeNext, signInPath } from "./session";

describe("signInPath", () => {
  it("keeps where we were", () => {
    expect(signInPath({ pathname: "/tickets/42", search: "?x=1" })).toBe("/signin?next=%2Ftickets%2F42%3Fx%3D1");
    expect(signInPath({ pathname: "/", search: "" })).toBe("/signin");
    expect(signInPath({ pathname: "/signin", search: "?next=%2Fx" })).toBe("/signin?next=%2Fx");
  });
});
describe("safeNext", () => {
  it.each([
    ["/tickets/42", "/tickets/42"],
    ["//evil.example", "/"],
    ["https://evil.example", "/"],
    ["/\\evil", "/"],
    [null, "/"],
  ])("%s", (n, want) => expect(safeNext(n)).toBe(want));
});
